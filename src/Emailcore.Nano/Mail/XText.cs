namespace Emailcore.Nano.Mail
{
    /// <summary>RFC 3461 §4 xtext, the encoding of ENVID and ORCPT: "+" and two hex digits stand for one octet.</summary>
    public static class XText
    {
        /// <summary>Decodes xtext; a malformed "+" escape is kept as written.</summary>
        public static string Decode(string xtext)
        {
            if (xtext.IndexOf('+') < 0)
            {
                return xtext;
            }

            byte[] bytes = new byte[xtext.Length];
            int n = 0;
            for (int i = 0; i < xtext.Length; i++)
            {
                int high;
                int low;
                if (xtext[i] == '+' && i + 2 < xtext.Length && (high = Hex(xtext[i + 1])) >= 0 && (low = Hex(xtext[i + 2])) >= 0)
                {
                    bytes[n++] = (byte)((high << 4) | low);
                    i += 2;
                }
                else
                {
                    bytes[n++] = (byte)xtext[i];
                }
            }

            return Text.Utf8.GetString(bytes, 0, n);
        }

        /// <summary>Encodes UTF-8 text: octets outside "!".."~", and "+" and "=", become "+XX" (RFC 3461 §4).</summary>
        public static string Encode(string text)
        {
            byte[] bytes = Text.Utf8.GetBytes(text);
            string encoded = string.Empty;
            int plain = 0;
            for (int i = 0; i < bytes.Length; i++)
            {
                byte b = bytes[i];
                if (b >= '!' && b <= '~' && b != '+' && b != '=')
                {
                    continue;
                }

                encoded += Text.Utf8.GetString(bytes, plain, i - plain) + "+" + HexDigits[b >> 4] + HexDigits[b & 15];
                plain = i + 1;
            }

            return plain == 0 ? text : encoded + Text.Utf8.GetString(bytes, plain, bytes.Length - plain);
        }

        private const string HexDigits = "0123456789ABCDEF";

        private static int Hex(char c)
        {
            if (c >= '0' && c <= '9')
            {
                return c - '0';
            }

            return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        }
    }
}
