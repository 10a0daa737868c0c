using BenchmarkDotNet.Running;

namespace Emailcore.Nano.Benchmarks
{
    public static class Program
    {
        /// <summary>`dotnet run -c Release --project tests/Emailcore.Nano.Benchmarks -- --filter '*'`; add `--job short` for a quick table.</summary>
        public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
