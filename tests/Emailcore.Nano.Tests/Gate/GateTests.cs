using System;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Text.RegularExpressions;
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

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        public void CoreAssemblyUsesOnlyWhatStableFirmwareRuns(int layer)
        {
            // Each layer may use mscorlib and the layers below it, nothing else (build/NanoGate.props).
            string name = Repo.GateLayers[layer];
            string assembly = Repo.GateAssembly(name);
            Assert.True(File.Exists(assembly), "the solution build did not produce " + assembly);
            string[] allowed = new[] { "mscorlib" }.Concat(Repo.GateLayers.Take(layer)).ToArray();
            GateInspector result = GateInspector.Inspect(assembly, allowed);
            string peFile = Path.ChangeExtension(assembly, ".pe");
            string pe = File.Exists(peFile) ? $"{name}.pe {new FileInfo(peFile).Length} bytes" : "no .pe (MetadataProcessor not run)";
            string figure = $"gate assembly {name}: {result.IlBytes} bytes of IL in {result.Methods} methods, {new FileInfo(assembly).Length} bytes on disk, {pe}";
            _output.WriteLine(figure);
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(assembly)!, "code-size.txt"), figure + Environment.NewLine);
            Assert.Empty(result.Violations);
        }

        [DeviceCompileCheckFact]
        public void DeviceLayerUsesOnlyWhatStableFirmwareRuns()
        {
            // The device compile check references the core's three gate assemblies, nanoFramework's own System.Net and its dependencies, Runtime.Native,
            // and the shims for the packages ../shared/tools lacks (file system, Wi-Fi); nothing else may appear.
            string device = Path.Combine(Repo.Root, "src", "Emailcore.Nano.Device", "bin", Repo.Configuration, "net10.0", "Emailcore.Nano.Device.dll");
            Assert.True(File.Exists(device), "the solution build did not produce " + device);
            GateInspector result = GateInspector.Inspect(device, "mscorlib", "Emailcore.Nano", "Emailcore.Nano.Smtp", "Emailcore.Nano.Relay", "Emailcore.Nano.Device.Shims", "System.Net", "System.Threading", "System.IO.Streams",
                "nanoFramework.System.Text", "nanoFramework.Runtime.Events", "nanoFramework.Runtime.Native");
            Assert.Empty(result.Violations);

            // Socket, SslStream, X509Certificate and the rest come from nanoFramework's System.Net, not from a shim.
            using var pe = new PEReader(File.OpenRead(device));
            MetadataReader md = pe.GetMetadataReader();
            Assert.Contains("System.Net", md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)));
        }

        [Theory]
        [InlineData("src/Emailcore.Nano.Gate/Emailcore.Nano.nfproj", "src/Emailcore.Nano/Text", "src/Emailcore.Nano/Platform", "src/Emailcore.Nano/Config", "src/Emailcore.Nano/Mail", "src/Emailcore.Nano/Spool")]
        [InlineData("src/Emailcore.Nano.Smtp.Gate/Emailcore.Nano.Smtp.nfproj", "src/Emailcore.Nano/Smtp", "src/Emailcore.Nano/Dns")]
        [InlineData("src/Emailcore.Nano.Relay.Gate/Emailcore.Nano.Relay.nfproj", "src/Emailcore.Nano/Relay", "src/Emailcore.Nano/Alerts")]
        [InlineData("src/Emailcore.Nano.Device/Emailcore.Nano.Device.nfproj", "src/Emailcore.Nano.Device")]
        [InlineData("tests/Emailcore.Nano.DeviceTests/Emailcore.Nano.DeviceTests.nfproj", "tests/Emailcore.Nano.DeviceTests", "src/Emailcore.Nano.Device/Platform")]
        public void NanoFrameworkProjectsListEverySourceFile(string project, params string[] folders)
        {
            // Classic .nfproj files name each file; the gate projects and compile checks glob. This keeps the two in step.
            string text = File.ReadAllText(Repo.PathOf(project.Split('/'))).Replace('\\', '/');
            string projectDir = Path.GetDirectoryName(Repo.PathOf(project.Split('/')))!;
            var expected = folders.SelectMany(folder => Directory.GetFiles(Repo.PathOf(folder.Split('/')), "*.cs", SearchOption.AllDirectories))
                .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"));
            foreach (string file in expected)
            {
                string relative = Path.GetRelativePath(projectDir, file).Replace('\\', '/');
                Assert.True(text.Contains("Include=\"" + relative + "\"", StringComparison.Ordinal), project + " does not compile " + relative);
            }
        }

        [Theory]
        [InlineData("src/Emailcore.Nano.Device/Emailcore.Nano.Device.nfproj")]
        [InlineData("tests/Emailcore.Nano.DeviceTests/Emailcore.Nano.DeviceTests.nfproj")]
        public void DeviceProjectsReferenceTheCoreAssemblies(string project)
        {
            // On a board the core is the three assemblies the gate builds, never its sources linked into the application.
            string path = Repo.PathOf(project.Split('/'));
            string text = File.ReadAllText(path).Replace('\\', '/');
            var references = Regex.Matches(text, "<ProjectReference Include=\"([^\"]+)\"")
                .Select(m => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, m.Groups[1].Value)))
                .ToArray();
            foreach (string layer in Repo.GateLayers)
            {
                Assert.Contains(Repo.PathOf("src", layer + ".Gate", layer + ".nfproj"), references);
            }
            Assert.DoesNotContain("Emailcore.Nano/", text);
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
