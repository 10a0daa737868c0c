using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Config
{
    /// <summary>What a listener serves: plain SMTP (25), submission (587, RFC 6409) or implicit-TLS submission (465, RFC 8314).</summary>
    public enum ListenMode
    {
        Smtp,
        Submission,
        Smtps,
    }

    /// <summary>One entry of smtpd_listen: "127.0.0.1:2525", "0.0.0.0:587/submission", "[::1]:465/smtps".</summary>
    public sealed class ListenSpec
    {
        private ListenSpec(Endpoint endpoint, ListenMode mode)
        {
            Endpoint = endpoint;
            Mode = mode;
        }

        public Endpoint Endpoint { get; }

        public ListenMode Mode { get; }

        /// <summary>Every entry of smtpd_listen; an entry that is not a listener is null (the configuration check refuses it).</summary>
        public static ListenSpec[] ParseAll(string[] texts)
        {
            var listeners = new ListenSpec[texts.Length];
            for (int i = 0; i < texts.Length; i++)
            {
                listeners[i] = Parse(texts[i]);
            }

            return listeners;
        }

        /// <summary>Returns null when the text is not a listener; the port is required (0: one the system picks when binding).</summary>
        public static ListenSpec Parse(string text)
        {
            ListenMode mode = ListenMode.Smtp;
            int slash = text.IndexOf('/');
            string address = text;
            if (slash >= 0)
            {
                string word = text.Substring(slash + 1);
                address = text.Substring(0, slash);
                if (word == "submission")
                {
                    mode = ListenMode.Submission;
                }
                else if (word == "smtps")
                {
                    mode = ListenMode.Smtps;
                }
                else if (word != "smtp")
                {
                    return null;
                }
            }

            var endpoint = new Endpoint();
            if (!Endpoint.TryParse(address, -1, endpoint) || endpoint.Port < 0)
            {
                return null;
            }

            return new ListenSpec(endpoint, mode);
        }
    }
}
