using System.IO;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>Debian's Python (the one python3-aiosmtpd installs into), running a script on some input.</summary>
    public static class Python
    {
        public const string Executable = "/usr/bin/python3";

        public static RunResult Run(string script, string standardInput)
        {
            string dir = Path.Combine(Path.GetTempPath(), "emailcore-py-" + Path.GetRandomFileName());
            Directory.CreateDirectory(dir);
            string scriptPath = Path.Combine(dir, "script.py");
            string inputPath = Path.Combine(dir, "input");
            File.WriteAllText(scriptPath, script);
            File.WriteAllText(inputPath, standardInput);
            return Support.Run.Program("/bin/sh", new[] { "-c", Executable + " \"$0\" < \"$1\"", scriptPath, inputPath });
        }
    }
}
