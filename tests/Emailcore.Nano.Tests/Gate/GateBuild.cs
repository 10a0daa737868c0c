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

        public static GateBuild Compile(string fileName, string source)
        {
            string dir = Path.Combine(Path.GetTempPath(), "emailcore-gate-" + Path.GetRandomFileName());
            Directory.CreateDirectory(dir);
            string file = Path.Combine(dir, fileName);
            File.WriteAllText(file, source);
            string bin = Path.Combine(dir, "bin") + Path.DirectorySeparatorChar;
            RunResult result = Run.Program("dotnet", new[]
            {
                "build", Repo.GateProject, "--no-restore", "--nologo", "-v:q", "-nodeReuse:false",
                "-p:Configuration=" + Repo.Configuration,
                "-p:GateExtraSources=" + file,
                "-p:IntermediateOutputPath=" + Path.Combine(dir, "obj") + Path.DirectorySeparatorChar,
                "-p:OutDir=" + bin,
            });
            return new GateBuild(result.ExitCode == 0, result.ToString(), Path.Combine(bin, "Emailcore.Nano.Gate.dll"));
        }
    }
}
