using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace Emailcore.Nano.Tests.Hardening
{
    /// <summary>A small tmpfs mounted for one test (a real full or read-only file system), unmounted and removed on dispose.</summary>
    public sealed class Tmpfs : IDisposable
    {
        private static readonly Lazy<string?> Impossible = new(Probe);

        public Tmpfs(string options)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "emailcore-tmpfs-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
            if (!Mount(Path, options, out string error))
            {
                Directory.Delete(Path);
                throw new InvalidOperationException("mount -t tmpfs -o " + options + " failed: " + error);
            }
        }

        public string Path { get; }

        /// <summary>Why no tmpfs can be mounted here (not root, no mount namespace), or null when it can.</summary>
        public static string? WhyImpossible => Impossible.Value;

        public void Remount(string options)
        {
            if (!Run("mount", "-o remount," + options + " " + Path, out string error))
            {
                throw new InvalidOperationException("remount " + options + " failed: " + error);
            }
        }

        public void Dispose()
        {
            Run("umount", "-l " + Path, out _);
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Still busy after a lazy unmount: an empty directory in /tmp is all that is left.
            }
        }

        private static string? Probe()
        {
            if (!OperatingSystem.IsLinux())
            {
                return "tmpfs mounts need Linux";
            }

            string probe = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "emailcore-tmpfs-probe-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(probe);
            try
            {
                if (!Mount(probe, "size=64k", out string error))
                {
                    return "cannot mount a tmpfs here (" + error.Trim() + "); these tests need root in a mount namespace";
                }

                Run("umount", probe, out _);
                return null;
            }
            finally
            {
                Directory.Delete(probe);
            }
        }

        private static bool Mount(string path, string options, out string error) => Run("mount", "-t tmpfs -o " + options + " tmpfs " + path, out error);

        private static bool Run(string program, string arguments, out string error)
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
                error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                return process.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                error = e.Message;
                return false;
            }
        }
    }

    /// <summary>A fact that needs a real tmpfs; skipped, with the reason, where none can be mounted.</summary>
    public sealed class TmpfsFactAttribute : FactAttribute
    {
        public TmpfsFactAttribute()
        {
            if (Tmpfs.WhyImpossible != null)
            {
                Skip = Tmpfs.WhyImpossible;
            }
        }
    }
}
