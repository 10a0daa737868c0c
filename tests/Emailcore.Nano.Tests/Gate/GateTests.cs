using System;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Emailcore.Nano.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Emailcore.Nano.Tests.Gate
{
    /// <summary>The nanoFramework gate: the core compiles against the board's mscorlib and uses nothing the firmware lacks.</summary>
    public sealed class GateTests
    {
        private readonly ITestOutputHelper _output;

        public GateTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void CoreAssemblyUsesOnlyWhatStableFirmwareRuns()
        {
            Assert.True(File.Exists(Repo.GateAssembly), "the solution build did not produce " + Repo.GateAssembly);
            GateInspector result = GateInspector.Inspect(Repo.GateAssembly);
            string pe = File.Exists(Repo.GatePe) ? $"Emailcore.Nano.pe {new FileInfo(Repo.GatePe).Length} bytes" : "no .pe (MetadataProcessor not run)";
            string figure = $"gate assembly: {result.IlBytes} bytes of IL in {result.Methods} methods, {new FileInfo(Repo.GateAssembly).Length} bytes on disk, {pe}";
            _output.WriteLine(figure);
            Console.WriteLine(figure);
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(Repo.GateAssembly)!, "code-size.txt"), figure + Environment.NewLine);
            Assert.Empty(result.Violations);
        }

        [DeviceCompileCheckFact]
        public void DeviceLayerUsesOnlyWhatStableFirmwareRuns()
        {
            // The device compile check references nanoFramework's own System.Net and its dependencies, Runtime.Native,
            // and the shims for the packages ../shared/tools lacks (file system, Wi-Fi); nothing else may appear.
            string device = Path.Combine(Repo.Root, "src", "Emailcore.Nano.Device", "bin", Repo.Configuration, "net10.0", "Emailcore.Nano.Device.dll");
            Assert.True(File.Exists(device), "the solution build did not produce " + device);
            GateInspector result = GateInspector.Inspect(device, "mscorlib", "Emailcore.Nano.Device.Shims", "System.Net", "System.Threading", "System.IO.Streams",
                "nanoFramework.System.Text", "nanoFramework.Runtime.Events", "nanoFramework.Runtime.Native");
            Assert.Empty(result.Violations);

            // Socket, SslStream, X509Certificate and the rest come from nanoFramework's System.Net, not from a shim.
            using var pe = new PEReader(File.OpenRead(device));
            MetadataReader md = pe.GetMetadataReader();
            Assert.Contains("System.Net", md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)));
        }

        [Theory]
        [InlineData("src/Emailcore.Nano.Device/Emailcore.Nano.Device.nfproj", "src/Emailcore.Nano.Device", true)]
        [InlineData("tests/Emailcore.Nano.DeviceTests/Emailcore.Nano.DeviceTests.nfproj", "src/Emailcore.Nano.Device/Platform", false)]
        public void NanoFrameworkProjectsListEverySourceFile(string project, string deviceFolder, bool withProgram)
        {
            // Classic .nfproj files name each file; the compile checks glob. This keeps the two in step.
            string text = File.ReadAllText(Repo.PathOf(project.Split('/'))).Replace('\\', '/');
            string projectDir = Path.GetDirectoryName(Repo.PathOf(project.Split('/')))!;
            var expected = Directory.GetFiles(Repo.PathOf("src", "Emailcore.Nano"), "*.cs", SearchOption.AllDirectories)
                .Concat(Directory.GetFiles(Repo.PathOf(deviceFolder.Split('/')), "*.cs", withProgram ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly))
                .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"));
            foreach (string file in expected)
            {
                string relative = Path.GetRelativePath(projectDir, file).Replace('\\', '/');
                Assert.True(text.Contains("Include=\"" + relative + "\"", StringComparison.Ordinal), project + " does not compile " + relative);
            }
        }

        [Fact]
        public void GenericListFailsTheGateBuild()
        {
            GateBuild build = GateBuild.Compile("UsesList.cs", """
                namespace Emailcore.Nano.Probe
                {
                    public static class UsesList
                    {
                        public static int Count()
                        {
                            var list = new System.Collections.Generic.List<int>();
                            list.Add(1);
                            return list.Count;
                        }
                    }
                }
                """);
            Assert.False(build.Succeeded, build.Output);
            Assert.Contains("error CS0234: The type or namespace name 'Generic' does not exist in the namespace 'System.Collections'", build.Output);
        }

        [Fact]
        public void StringBuilderFailsTheGateBuild()
        {
            GateBuild build = GateBuild.Compile("UsesStringBuilder.cs", """
                namespace Emailcore.Nano.Probe
                {
                    public static class UsesStringBuilder
                    {
                        public static string Join(string a, string b)
                        {
                            var sb = new System.Text.StringBuilder();
                            sb.Append(a).Append(b);
                            return sb.ToString();
                        }
                    }
                }
                """);
            Assert.False(build.Succeeded, build.Output);
            Assert.Contains("error CS0234: The type or namespace name 'Text' does not exist in the namespace 'System'", build.Output);
        }

        [Theory]
        [InlineData("echo 'Warning: something the board will not like'", "mdp: Emailcore.Nano rejected (exit 0): Warning: something the board will not like")]
        [InlineData("echo 'Unable to parse input assembly'; exit 1", "mdp: Emailcore.Nano rejected (exit 1): Unable to parse input assembly")]
        public void AnythingTheMetadataProcessorReportsFailsTheBuild(string script, string error)
        {
            // A stand-in tools folder whose mdp prints the banner, then a diagnostic.
            string tools = Path.Combine(Path.GetTempPath(), "emailcore-tools-" + Path.GetRandomFileName());
            Directory.CreateDirectory(Path.Combine(tools, "mdp"));
            string mdp = Path.Combine(tools, "mdp", "mdp");
            File.WriteAllText(mdp, "#!/bin/sh\necho 'nanoFramework MetadataProcessor Utility v1'\necho 'Copyright (c) 2019 nanoFramework project contributors'\n" + script + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(mdp, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            }
            try
            {
                GateBuild build = GateBuild.Compile("Empty.cs", "namespace Emailcore.Nano.Probe { }", "EmailcoreNanoTools=" + tools);
                Assert.False(build.Succeeded, build.Output);
                Assert.Contains(error, build.Output);
            }
            finally
            {
                Directory.Delete(tools, true);
            }
        }

        [Fact]
        public void InspectorRejectsAnAssemblyWithAGenericType()
        {
            // Generic definitions compile against mscorlib, so only the metadata check catches them.
            GateBuild build = GateBuild.Compile("Generic.cs", """
                namespace Emailcore.Nano.Probe
                {
                    public sealed class Box<T>
                    {
                        public T Value;
                    }

                    public static class UsesBox
                    {
                        public static int Get() { return new Box<int>().Value; }
                    }
                }
                """);
            Assert.True(build.Succeeded, build.Output);
            GateInspector result = GateInspector.Inspect(build.AssemblyPath);
            Assert.Contains(result.Violations, v => v.StartsWith("generic type definition Emailcore.Nano.Probe.Box", StringComparison.Ordinal));
            Assert.Contains(result.Violations, v => v.StartsWith("generic instantiation", StringComparison.Ordinal));
        }

        [Fact]
        public void InspectorRejectsDelegatesOfMscorlibGenericsAndPInvoke()
        {
            GateBuild build = GateBuild.Compile("Reach.cs", """
                namespace System.Runtime.InteropServices
                {
                    // nanoFramework's mscorlib has no DllImportAttribute; declaring one lets the compiler emit P/Invoke.
                    public sealed class DllImportAttribute : System.Attribute
                    {
                        public DllImportAttribute(string dllName) { }
                    }
                }

                namespace Emailcore.Nano.Probe
                {
                    public static class Reach
                    {
                        public static System.Func<int, int> Twice() { return x => x * 2; }

                        [System.Runtime.InteropServices.DllImport("libc")]
                        public static extern int getpid();
                    }
                }
                """);
            Assert.True(build.Succeeded, build.Output);
            GateInspector result = GateInspector.Inspect(build.AssemblyPath);
            Assert.Contains(result.Violations, v => v.Contains("Func", StringComparison.Ordinal));
            Assert.Contains(result.Violations, v => v.StartsWith("P/Invoke Emailcore.Nano.Probe.Reach.getpid", StringComparison.Ordinal));
        }
    }
}
