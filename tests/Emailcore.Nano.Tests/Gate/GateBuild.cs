using System.IO;
using Emailcore.Nano.Tests.Support;

namespace Emailcore.Nano.Tests.Gate
{
    /// <summary>Builds the gate project exactly as the solution does, with one extra source file, into a private folder.</summary>
    public sealed class GateBuild
    {
        private GateBuild(bool succeeded, string output, string assemblyPath)
        {
            Succeeded = succeeded;
            Output = output;
            AssemblyPath = assemblyPath;
        }

        public bool Succeeded { get; }

        public string Output { get; }

        public string AssemblyPath { get; }

        /// <summary>Compiles with one extra file; <paramref name="properties"/> (name=value) go to MSBuild, e.g. to run the MetadataProcessor.</summary>
        public static GateBuild Compile(string fileName, string source, params string[] properties)
        {
            string dir = Path.Combine(Path.GetTempPath(), "emailcore-gate-" + Path.GetRandomFileName());
            Directory.CreateDirectory(dir);
            string file = Path.Combine(dir, fileName);
            File.WriteAllText(file, source);
            string bin = Path.Combine(dir, "bin") + Path.DirectorySeparatorChar;
            var arguments = new System.Collections.Generic.List<string>
            {
                "build", Repo.GateProject, "--no-restore", "--nologo", "-v:q", "-nodeReuse:false",
                "-p:Configuration=" + Repo.Configuration,
                "-p:GateExtraSources=" + file,
                "-p:IntermediateOutputPath=" + Path.Combine(dir, "obj") + Path.DirectorySeparatorChar,
                "-p:OutDir=" + bin,
            };
            arguments.Add(properties.Length == 0 ? "-p:NanoMdp=false" : "-p:NanoMdp=true");
            foreach (string property in properties)
            {
                arguments.Add("-p:" + property);
            }

            RunResult result = Run.Program("dotnet", arguments.ToArray());
            return new GateBuild(result.ExitCode == 0, result.ToString(), Path.Combine(bin, "Emailcore.Nano.dll"));
        }
    }
}
