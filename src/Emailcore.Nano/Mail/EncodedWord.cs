using Emailcore.Nano.Text;

namespace Emailcore.Nano.Mail
{
    /// <summary>RFC 2047 encoded-words for header text that is not plain ASCII ("=?utf-8?B?...?=").</summary>
    public static class EncodedWord
    {
        // RFC 2047 §2: header lines with encoded-words stay within 76 characters. 39 bytes make a 64-character
        // word, which leaves room for a field name such as "Subject: " on the first line.
        private const int BytesPerWord = 39;

        /// <summary>The text itself when it is printable ASCII, else encoded-words separated by folding white space.</summary>
        public static string Encode(string text)
        {
            if (IsPlain(text))
            {
                return text;
            }

            byte[] bytes = Utf8.GetBytes(text);
            string result = string.Empty;
            int p = 0;
            while (p < bytes.Length)
            {
                int take = bytes.Length - p < BytesPerWord ? bytes.Length - p : BytesPerWord;

                // Never split a UTF-8 sequence across two words (RFC 2047 §5: each word is a whole character string).
                while (p + take < bytes.Length && (bytes[p + take] & 0xC0) == 0x80)
                {
                    take--;
                }

                if (result.Length > 0)
                {
                    result += "\r\n ";
                }

                result += "=?utf-8?B?" + System.Convert.ToBase64String(bytes, p, take) + "?=";
                p += take;
            }

            return result;
        }

        private static bool IsPlain(string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c < 0x20 || c > 0x7E)
                {
                    return false;
                }
            }

            // "=?" could be read as the start of an encoded-word (RFC 2047 §5).
            return text.IndexOf("=?") < 0;
        }
    }
}
