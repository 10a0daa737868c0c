using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Relay
{
    /// <summary>
    /// Local delivery into one Maildir per local part under home_mailbox: write into tmp/, sync, then rename
    /// into new/ (the Maildir protocol), so a reader never sees a partial message. The file name is derived
    /// from the queue id and recipient index, so delivering again after a crash finds the earlier copy instead
    /// of writing a second one.
    /// </summary>
    public sealed class MaildirDelivery
    {
        private readonly IFileSystem _fileSystem;
        private readonly string _root;
        private readonly string _host;
        private readonly byte[] _buffer;

        public MaildirDelivery(IFileSystem fileSystem, string root, string hostName, byte[] scratch)
        {
            _fileSystem = fileSystem;
            _root = root;
            _host = SafeName(hostName);
            _buffer = scratch;
        }

        /// <summary>The folder a local part is delivered to, relative to the file system root.</summary>
        public string MaildirOf(string localPart)
        {
            return _root + "/" + SafeName(localPart.ToLower());
        }

        /// <summary>The file name a message gets in new/.</summary>
        public string FileNameOf(long queueId, int recipientIndex, long arrivalUnixSeconds)
        {
            return arrivalUnixSeconds.ToString() + ".Q" + QueueId.Format(queueId) + "R" + recipientIndex.ToString() + "." + _host;
        }

        /// <summary>
        /// Delivers one copy; throws <see cref="StoreException"/> when the medium refuses (the relay defers).
        /// RFC 5321 §4.4: the delivering MTA adds Return-Path; Delivered-To marks the mailbox, as Postfix does, so loops show.
        /// </summary>
        public void Deliver(string localPart, string reversePath, string recipient, IMessageSource content, long queueId, int recipientIndex, long arrivalUnixSeconds)
        {
            string folder = MaildirOf(localPart);
            IFileStore tmp = _fileSystem.OpenStore(folder + "/tmp");
            IFileStore fresh = _fileSystem.OpenStore(folder + "/new");
            _fileSystem.OpenStore(folder + "/cur");
            string name = FileNameOf(queueId, recipientIndex, arrivalUnixSeconds);
            if (Contains(fresh.List(), name))
            {
                return;
            }

            if (Contains(tmp.List(), name))
            {
                tmp.Delete(name);
            }

            IStoreFile file = tmp.Create(name);
            try
            {
                AppendText(file, "Return-Path: <" + reversePath + ">\r\nDelivered-To: " + recipient + "\r\n");
                content.Rewind();
                int n;
                while ((n = content.Read(_buffer, 0, _buffer.Length)) > 0)
                {
                    file.Append(_buffer, 0, n);
                }

                file.Sync();
            }
            finally
            {
                file.Close();
            }

            _fileSystem.Move(tmp, name, fresh);
        }

        private static void AppendText(IStoreFile file, string text)
        {
            byte[] bytes = Utf8.GetBytes(text);
            file.Append(bytes, 0, bytes.Length);
        }

        private static bool Contains(string[] names, string name)
        {
            for (int i = 0; i < names.Length; i++)
            {
                if (names[i] == name)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Letters, digits, '.', '-', '_' and '+' pass; every other byte of the UTF-8 form (including '/') becomes
        /// '%' and hex, and so does a leading '.', so no name leaves its folder and distinct names stay distinct.
        /// </summary>
        private static string SafeName(string text)
        {
            byte[] bytes = Utf8.GetBytes(text);
            char[] chars = new char[bytes.Length * 3];
            int n = 0;
            for (int i = 0; i < bytes.Length; i++)
            {
                int c = bytes[i];
                bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '+' || (c == '.' && i > 0);
                if (safe)
                {
                    chars[n++] = (char)c;
                }
                else
                {
                    chars[n++] = '%';
                    chars[n++] = HexDigit(c >> 4);
                    chars[n++] = HexDigit(c & 0xF);
                }
            }

            return n == 0 ? "%00" : new string(chars, 0, n);
        }

        private static char HexDigit(int value)
        {
            return (char)(value < 10 ? '0' + value : 'A' + value - 10);
        }
    }
}
