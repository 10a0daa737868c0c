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

        /// <summary>The project of the lowest gate assembly, the one the gate tests compile extra files into.</summary>
        public static string GateProject => Path.Combine(Root, "src", "Emailcore.Nano.Gate", "Emailcore.Nano.Gate.csproj");

        /// <summary>The assemblies of the core's nanoFramework build, lowest layer first (build/NanoGate.props).</summary>
        public static readonly string[] GateLayers = { "Emailcore.Nano", "Emailcore.Nano.Smtp", "Emailcore.Nano.Relay" };

        /// <summary>One gate assembly (also in the package), built by the project in src/<c>name</c>.Gate.</summary>
        public static string GateAssembly(string name) => Path.Combine(Root, "src", name + ".Gate", "bin", Configuration, "net10.0", name + ".dll");

        /// <summary>The `emailcore` program, copied next to the tests by the project reference.</summary>
        public static string EmailcoreDll => Path.Combine(AppContext.BaseDirectory, "emailcore.dll");

        public static string PathOf(params string[] parts) => Path.Combine(new[] { Root }.Concat(parts).ToArray());

        private static string Metadata(string key) =>
            typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
            ?? throw new InvalidOperationException("missing assembly metadata " + key);
    }
}
