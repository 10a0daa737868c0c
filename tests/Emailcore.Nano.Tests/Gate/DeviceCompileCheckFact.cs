using System.IO;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Gate
{
    /// <summary>
    /// A test of the device compile check's output: skipped, with the reason, when nanoFramework's assemblies are
    /// not beside the repository (../shared/tools), because the build then skips that check too
    /// (src/Emailcore.Nano.Device.Shims/DeviceCompileCheck.props). CI always has them.
    /// </summary>
    public sealed class DeviceCompileCheckFactAttribute : FactAttribute
    {
        public static readonly string SystemNet = Path.GetFullPath(Path.Combine(Repo.Root, "..", "shared", "tools", "nanoframework-net", "lib", "System.Net.dll"));

        public static readonly string RuntimeNative = Path.GetFullPath(Path.Combine(Repo.Root, "..", "shared", "tools", "nanoframework", "runtime-native", "nanoFramework.Runtime.Native.dll"));

        public DeviceCompileCheckFactAttribute()
        {
            if (!File.Exists(SystemNet) || !File.Exists(RuntimeNative))
            {
                Skip = "the device compile check did not run: " + SystemNet + " or " + RuntimeNative + " is missing";
            }
        }
    }
}
