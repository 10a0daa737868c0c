using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>Runs a program to completion and captures what it printed.</summary>
    public sealed record RunResult(int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
    }

    public static class Run
    {
        public static RunResult Program(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null)
        {
            var start = new ProcessStartInfo(fileName)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + fileName);
            process.StandardInput.Close();
            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data != null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
            process.ErrorDataReceived += (_, e) => { if (e.Data != null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit((int)(timeout ?? TimeSpan.FromMinutes(3)).TotalMilliseconds))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException(fileName + " did not finish in time");
            }

            process.WaitForExit();
            return new RunResult(process.ExitCode, stdout.ToString(), stderr.ToString());
        }

        /// <summary>Runs the `emailcore` program with these arguments.</summary>
        public static RunResult Emailcore(params string[] arguments) =>
            Program("dotnet", Prepend(Repo.EmailcoreDll, arguments));

        private static IEnumerable<string> Prepend(string first, string[] rest)
        {
            yield return first;
            foreach (string s in rest)
            {
                yield return s;
            }
        }
    }
}
