using Emailcore.Nano.Config;

namespace Emailcore.Nano.Emulator
{
    /// <summary>
    /// The emulator has no TLS: nanoclr32-net's SslStream natives are nanoFramework's stubs (there is no mbedTLS in
    /// it). A main.cf that asks for TLS is refused at start with file:line, as a board refuses what it cannot do,
    /// rather than run with handshakes that can only fail.
    /// </summary>
    public static class EmulatorTls
    {
        private const string Why = ": the emulator has no TLS (nanoclr32-net's SslStream is a stub); TLS runs only on a board";

        public static void Refuse(MainConfig config)
        {
            RefuseUnless(config, Parameters.SmtpTlsSecurityLevel, "none");
            RefuseUnless(config, Parameters.SmtpTlsPolicyMaps, string.Empty);
            RefuseUnless(config, Parameters.SmtpTlsWrappermode, "no");
            RefuseUnless(config, Parameters.SmtpdTlsCertFile, string.Empty);
        }

        private static void RefuseUnless(MainConfig config, Parameter parameter, string allowed)
        {
            string value = config.GetString(parameter);
            if (value != allowed)
            {
                throw new ConfigException(config.FileName, config.LineOf(parameter), parameter.Name + " = " + value + Why);
            }
        }
    }
}
