using System.Runtime.CompilerServices;
using Emailcore.Nano.Host;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>As the emailcore program does first: the host's own parameters exist before any test makes a configuration.</summary>
    internal static class HostParametersFirst
    {
        [ModuleInitializer]
        internal static void Register() => HostParameters.Register();
    }
}
