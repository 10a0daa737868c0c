namespace Emailcore.Nano.Mail
{
    /// <summary>A file to attach: its name as the recipient sees it, its media type, and its content read in chunks.</summary>
    public sealed class Attachment
    {
        public Attachment(string fileName, string contentType, IMessageSource content)
        {
            FileName = fileName;
            ContentType = contentType;
            Content = content;
        }

        public string FileName { get; }

        public string ContentType { get; }

        public IMessageSource Content { get; }
    }
}
