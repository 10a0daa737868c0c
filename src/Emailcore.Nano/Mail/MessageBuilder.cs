using System;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Mail
{
    /// <summary>
    /// Composes an RFC 5322 message from parts the caller has: plain text in UTF-8 sent quoted-printable, and
    /// attachments in base64 inside multipart/mixed (RFC 2046 §5.1.3). Everything is 7-bit, so any server
    /// takes it without 8BITMIME. Content streams through; nothing is held whole.
    /// </summary>
    public sealed class MessageBuilder
    {
        private readonly BodyEncoder _encoder;

        public MessageBuilder(int bufferBytes)
        {
            _encoder = new BodyEncoder(bufferBytes);
        }

        /// <param name="date">The Date field; when the clock is not yet known the caller passes null-equivalent <see cref="DateTime.MinValue"/> and the field is left out for the submission server to add (RFC 6409 §8.3).</param>
        public void Write(MessageWriter w, string from, string[] to, string subject, DateTime date, string messageId, IMessageSource body, Attachment[] attachments, string boundary)
        {
            w.Line("From: <" + from + ">");
            string recipients = "<" + to[0] + ">";
            for (int i = 1; i < to.Length; i++)
            {
                recipients += ",\r\n <" + to[i] + ">";
            }

            w.Line("To: " + recipients);
            w.Line("Subject: " + EncodedWord.Encode(subject));
            if (date != DateTime.MinValue)
            {
                w.Line("Date: " + Rfc5322Date.Format(date));
            }

            w.Line("Message-ID: <" + messageId + ">");
            w.Line("MIME-Version: 1.0");
            bool multipart = attachments != null && attachments.Length > 0;
            if (multipart)
            {
                w.Line("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"");
                w.Line(string.Empty);
                w.Line("This is a multi-part message in MIME format.");
                w.Line("--" + boundary);
            }

            w.Line("Content-Type: text/plain; charset=utf-8");
            w.Line("Content-Transfer-Encoding: quoted-printable");
            w.Line(string.Empty);
            _encoder.QuotedPrintable(body, w);
            if (!multipart)
            {
                w.Line(string.Empty);
                return;
            }

            for (int i = 0; i < attachments.Length; i++)
            {
                Attachment a = attachments[i];
                w.Line(string.Empty);
                w.Line("--" + boundary);
                w.Line("Content-Type: " + a.ContentType);
                w.Line("Content-Disposition: attachment; " + FileNameParameter(a.FileName));
                w.Line("Content-Transfer-Encoding: base64");
                w.Line(string.Empty);
                _encoder.Base64(a.Content, w);
            }

            w.Line("--" + boundary + "--");
        }

        /// <summary>filename="x" for plain names, RFC 2231 §4 filename*=utf-8''%XX otherwise.</summary>
        private static string FileNameParameter(string name)
        {
            bool plain = true;
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                plain &= c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
            }

            if (plain)
            {
                return "filename=\"" + name + "\"";
            }

            byte[] bytes = Utf8.GetBytes(name);
            string encoded = string.Empty;
            for (int i = 0; i < bytes.Length; i++)
            {
                int b = bytes[i];
                bool attributeChar = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '.' || b == '-' || b == '_';
                encoded += attributeChar ? ((char)b).ToString() : "%" + "0123456789ABCDEF"[b >> 4].ToString() + "0123456789ABCDEF"[b & 0xF].ToString();
            }

            return "filename*=utf-8''" + encoded;
        }
    }
}
