using System;
using Emailcore.Nano.Tests.Portable;

namespace Emailcore.Nano.Tests
{
    /// <summary>
    /// Runs every portable test on the nanoFramework interpreter and prints one line per failure and the verdict
    /// `interpreter: N passed, N failed` (the runner exits 0 even after an unhandled exception, so the verdict
    /// line is the only proof the run completed).
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            int passed = 0;
            int failed = 0;
            Registration[] classes = PortableClasses.All();
            for (int c = 0; c < classes.Length; c++)
            {
                TestList tests = TestList.Of(classes[c]);
                for (int i = 0; i < tests.Count; i++)
                {
                    try
                    {
                        tests.Body(i)();
                        passed++;
                    }
                    catch (Exception e)
                    {
                        failed++;
                        Console.WriteLine("FAIL " + tests.Name(i) + ": " + e.GetType().Name + ": " + e.Message);
                    }
                }
            }

            Console.WriteLine("interpreter: " + passed.ToString() + " passed, " + failed.ToString() + " failed");
        }
    }
}
