using System;
using System.IO;
using System.Linq;

namespace Emailcore.Nano.Fuzz
{
    /// <summary>
    /// emailcore-fuzz TARGET [FILE|DIR...]: under the libFuzzer driver (tools/fuzz/driver.c sets SharpFuzz's pipes)
    /// it runs TARGET on every input libFuzzer sends; otherwise it runs TARGET once on each file named (a finding, a
    /// corpus), printing the first exception. `seeds DIR` writes the spool seeds from real spool writes.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length == 0)
            {
                Console.Error.WriteLine("usage: emailcore-fuzz TARGET [FILE|DIR...]   targets: " + string.Join(", ", Targets.Names) + "; or: seeds DIR");
                return 2;
            }

            if (args[0] == "seeds")
            {
                SpoolSeeds.Write(args[1]);
                return 0;
            }

            Action<byte[]> target = Targets.Find(args[0]);
            if (Environment.GetEnvironmentVariable("__LIBFUZZER_SHM_ID") != null)
            {
                SharpFuzz.Fuzzer.LibFuzzer.Run(span => target(span.ToArray()));
                return 0;
            }

            int failures = 0;
            foreach (string file in args.Skip(1).SelectMany(a => Directory.Exists(a) ? Directory.GetFiles(a) : new[] { a }))
            {
                try
                {
                    target(File.ReadAllBytes(file));
                }
                catch (Exception e)
                {
                    failures++;
                    Console.Error.WriteLine(file + ": " + e);
                }
            }

            return failures == 0 ? 0 : 1;
        }
    }
}
