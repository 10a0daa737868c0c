using BenchmarkDotNet.Running;

namespace Emailcore.Nano.Benchmarks
{
    public static class Program
    {
        /// <summary>`dotnet run -c Release --project tests/Emailcore.Nano.Benchmarks -- --filter '*'`; add `--job short` for a quick table.</summary>
        public static void Main(string[] args)
        {
            // Spool write amplification is a count, not a timing: `-- spool-wear` prints its table.
            if (args.Length == 1 && args[0] == "spool-wear")
            {
                SpoolWear.Print();
                return;
            }

            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        }
    }
}
