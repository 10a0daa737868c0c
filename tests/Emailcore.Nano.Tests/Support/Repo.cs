using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>Where the repository and the build outputs are, as the test project was built.</summary>
    public static class Repo
    {
        public static string Root { get; } = Metadata("RepositoryRoot");

        public static string Configuration { get; } = Metadata("Configuration");

        public static string GateProject => Path.Combine(Root, "src", "Emailcore.Nano.Gate", "Emailcore.Nano.Gate.csproj");

        /// <summary>The core compiled for nanoFramework (the gate's output, also the package's assembly).</summary>
        public static string GateAssembly => Path.Combine(Root, "src", "Emailcore.Nano.Gate", "bin", Configuration, "net10.0", "Emailcore.Nano.dll");

        /// <summary>The MetadataProcessor's conversion of <see cref="GateAssembly"/>; absent when the tools are.</summary>
        public static string GatePe => Path.ChangeExtension(GateAssembly, ".pe");

        /// <summary>The `emailcore` program, copied next to the tests by the project reference.</summary>
        public static string EmailcoreDll => Path.Combine(AppContext.BaseDirectory, "emailcore.dll");

        public static string PathOf(params string[] parts) => Path.Combine(new[] { Root }.Concat(parts).ToArray());

        private static string Metadata(string key) =>
            typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
            ?? throw new InvalidOperationException("missing assembly metadata " + key);
    }
}
