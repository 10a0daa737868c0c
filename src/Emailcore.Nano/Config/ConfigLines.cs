using Emailcore.Nano.Text;

namespace Emailcore.Nano.Config
{
    /// <summary>
    /// The line structure main.cf, aliases(5) and map files share: UTF-8 text (a byte-order mark is skipped),
    /// LF or CRLF line ends, empty lines and lines whose first non-blank character is '#' skipped, and a line
    /// that starts with white space continuing the previous one.
    /// </summary>
    public sealed class ConfigLines
    {
        private readonly byte[] _content;
        private readonly int _length;
        private int _position;
        private bool _peeked;

        public ConfigLines(byte[] content, int length)
        {
            _content = content;
            _length = length;
            if (length >= 3 && content[0] == 0xEF && content[1] == 0xBB && content[2] == 0xBF)
            {
                _position = 3;
            }
        }

        /// <summary>The current line without its line end; <see cref="Trimmed"/> without surrounding white space.</summary>
        public string Line { get; private set; }

        public string Trimmed { get; private set; }

        /// <summary>1-based.</summary>
        public int Number { get; private set; }

        /// <summary>True when the line starts with white space: it continues the previous entry.</summary>
        public bool IsContinuation { get; private set; }

        /// <summary>Moves to the next line that is neither empty nor a comment; false at the end.</summary>
        public bool Next()
        {
            if (_peeked)
            {
                _peeked = false;
                return true;
            }

            while (_position < _length)
            {
                int end = _position;
                while (end < _length && _content[end] != '\n')
                {
                    end++;
                }

                int next = end + 1;
                if (end > _position && _content[end - 1] == '\r')
                {
                    end--;
                }

                Number++;
                Line = Utf8.GetString(_content, _position, end - _position);
                _position = next;
                Trimmed = Line.Trim();
                if (Trimmed.Length == 0 || Trimmed[0] == '#')
                {
                    continue;
                }

                IsContinuation = Line[0] == ' ' || Line[0] == '\t';
                return true;
            }

            return false;
        }
    
        /// <summary>
        /// <paramref name="first"/> (the current entry's text) and the trimmed continuation lines after it, joined by
        /// <paramref name="separator"/> (none after an empty start), in time linear in their length; the next
        /// <see cref="Next"/> returns the first line that is not a continuation.
        /// </summary>
        public string JoinContinuations(string first, string separator)
        {
            string[] pieces = null;
            int count = 0;
            int length = first.Length;
            while (Next())
            {
                if (!IsContinuation)
                {
                    _peeked = true;
                    break;
                }

                if (pieces == null)
                {
                    pieces = new string[8];
                }
                else if (count == pieces.Length)
                {
                    var grown = new string[count * 2];
                    System.Array.Copy(pieces, grown, count);
                    pieces = grown;
                }

                pieces[count++] = Trimmed;
                length += (length == 0 ? 0 : separator.Length) + Trimmed.Length;
            }

            if (count == 0)
            {
                return first;
            }

            var joined = new char[length];
            int at = Put(first, joined, 0);
            for (int i = 0; i < count; i++)
            {
                at = Put(pieces[i], joined, at == 0 ? at : Put(separator, joined, at));
            }

            return new string(joined);
        }

        private static int Put(string text, char[] into, int at)
        {
            for (int i = 0; i < text.Length; i++)
            {
                into[at + i] = text[i];
            }

            return at + text.Length;
        }
}
}
