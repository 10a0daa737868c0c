using System;

namespace Emailcore.Nano.Mail
{
    /// <summary>What a composed message is made of; <see cref="MessageBuilder"/> checks it and writes it.</summary>
    public sealed class MessageParts
    {
        public Mailbox From { get; set; }

        public Mailbox[] To { get; set; }

        /// <summary>May be null or empty.</summary>
        public Mailbox[] Cc { get; set; }

        public string Subject { get; set; }

        /// <summary>UTC; <see cref="DateTime.MinValue"/> while the clock is unknown, and then no Date field is written.</summary>
        public DateTime Date { get; set; }

        /// <summary>The id-left "@" id-right inside the angle brackets (RFC 5322 §3.6.4).</summary>
        public string MessageId { get; set; }

        /// <summary>UTF-8 text.</summary>
        public IMessageSource Body { get; set; }

        /// <summary>May be null or empty; then the message is a single text part.</summary>
        public Attachment[] Attachments { get; set; }

        /// <summary>The multipart boundary: unpredictable, so no text can contain it (RFC 2046 §5.1.1).</summary>
        public string Boundary { get; set; }

        /// <summary>Whether text with 8-bit octets may go as 8bit (the caller then sends BODY=8BITMIME).</summary>
        public bool AllowEightBit { get; set; }
    }

    /// <summary>Why <see cref="MessageBuilder.Check"/> refused a message.</summary>
    public enum MessageProblem
    {
        None = 0,

        /// <summary>A From, To or Cc address that is not an RFC 5321 mailbox.</summary>
        InvalidAddress = 1,

        /// <summary>A CR or LF in a header value: it would start a field of the caller's choosing.</summary>
        LineBreakInHeader = 2,

        /// <summary>An attachment's media type that is not "type/subtype" (RFC 2045 §5.1).</summary>
        InvalidContentType = 3,

        NoRecipients = 4,
    }
}
