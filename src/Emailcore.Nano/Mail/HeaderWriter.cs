using Emailcore.Nano.Text;

namespace Emailcore.Nano.Mail
{
    /// <summary>
    /// Writes header fields of messages we compose, folded so that no line passes 78 characters (RFC 5322 §2.1.1),
    /// or 76 where it holds an encoded-word (RFC 2047 §2). Folding only ever inserts CRLF before white space
    /// (RFC 5322 §2.2.3), so unfolding gives back the value exactly. Text that is not plain ASCII goes as
    /// "=?utf-8?B?...?=" words of at most 75 characters, each a whole number of characters (RFC 2047 §5).
    /// The caller has refused CR and LF in every value (<see cref="IsSafe"/>), so no value can start a new field.
    /// </summary>
    public sealed class HeaderWriter
    {
        private const int LineLimit = 78;
        private const int EncodedLineLimit = 76;
        private const int EncodedWordLimit = 75;
        private const string WordStart = "=?utf-8?B?";
        private const string WordEnd = "?=";

        // The smallest word worth starting on a line: two base64 quads, 6 octets (a 4-octet UTF-8 sequence fits).
        private const int MinWordBytes = 6;

        private MessageWriter _w;
        private int _column;
        private bool _encodedOnLine;

        /// <summary>True when the value holds no CR and no LF: the one rule that makes header injection impossible.</summary>
        public static bool IsSafe(string value)
        {
            return value == null || (value.IndexOf('\r') < 0 && value.IndexOf('\n') < 0);
        }

        public void Attach(MessageWriter writer)
        {
            _w = writer;
        }

        /// <summary>"Name:"; the value follows as words.</summary>
        public void Begin(string name)
        {
            _w.Append(name);
            _w.AppendByte((byte)':');
            _column = name.Length + 1;
        }

        /// <summary>An ASCII word after one space, on a new folded line when it would pass the line limit.</summary>
        public void Word(string ascii)
        {
            Space(ascii.Length, _encodedOnLine ? EncodedLineLimit : LineLimit);
            _w.Append(ascii);
            _column += ascii.Length;
        }

        public void End()
        {
            _w.AppendCrLf();
            _column = 0;
            _encodedOnLine = false;
        }

        /// <summary>A whole field with an ASCII value that needs no folding (Message-ID, MIME-Version...).</summary>
        public void Field(string name, string ascii)
        {
            Begin(name);
            Word(ascii);
            End();
        }

        /// <summary>Unstructured text (RFC 5322 §3.2.5): plain words folded at their spaces, or encoded-words.</summary>
        public void Text(string text)
        {
            if (text.Length == 0)
            {
                return;
            }

            if (!IsPlain(text, false))
            {
                Encoded(text);
                return;
            }

            int start = 0;
            for (int i = 0; i <= text.Length; i++)
            {
                if (i == text.Length || text[i] == ' ')
                {
                    Word(text.Substring(start, i - start));
                    start = i + 1;
                }
            }
        }

        /// <summary>
        /// A display name (RFC 5322 §3.2.5 phrase): atoms, a quoted-string, or atoms and encoded-words (RFC 2047 §5(3)).
        /// Runs of words that are not atoms become one encoded-word each, with the atoms between them left plain, so
        /// two encoded-words meet only when one run is too long for a word: readers disagree on the space between
        /// adjacent encoded-words in a phrase (RFC 2047 §6.2 drops it; Python's email package keeps one).
        /// </summary>
        public void Phrase(string name)
        {
            if (name.Length == 0)
            {
                return;
            }

            if (IsPlain(name, true))
            {
                Text(name);
                return;
            }

            if (IsPrintableAscii(name) && name.Length + 2 <= LineLimit - 1)
            {
                string quoted = "\"";
                for (int i = 0; i < name.Length; i++)
                {
                    char c = name[i];
                    quoted += c == '"' || c == '\\' ? "\\" + c.ToString() : c.ToString();
                }

                Word(quoted + "\"");
                return;
            }

            int run = -1;
            int start = 0;
            for (int i = 0; i <= name.Length; i++)
            {
                if (i < name.Length && name[i] != ' ')
                {
                    continue;
                }

                string word = name.Substring(start, i - start);
                if (IsPlain(word, true))
                {
                    if (run >= 0 && start - 1 > run)
                    {
                        Encoded(name.Substring(run, start - 1 - run));
                    }

                    run = -1;

                    Word(word);
                }
                else if (run < 0)
                {
                    run = start;
                }

                start = i + 1;
            }

            if (run >= 0 && run < name.Length)
            {
                Encoded(name.Substring(run));
            }
        }

        /// <summary>A list of mailboxes as "Name &lt;addr&gt;, &lt;addr&gt;" (RFC 5322 §3.4).</summary>
        public void Addresses(string field, Mailbox[] list)
        {
            Begin(field);
            for (int i = 0; i < list.Length; i++)
            {
                Phrase(list[i].DisplayName);
                Word("<" + list[i].Address + (i < list.Length - 1 ? ">," : ">"));
            }

            End();
        }

        private void Encoded(string text)
        {
            byte[] bytes = Utf8.GetBytes(text);
            int p = 0;
            do
            {
                int take = WordBytes(EncodedLineLimit - _column - 1);
                if (take < MinWordBytes)
                {
                    // Too little room left on this line: the word goes on a folded line, after its one space.
                    take = WordBytes(EncodedLineLimit - 1);
                }

                if (take > bytes.Length - p)
                {
                    take = bytes.Length - p;
                }

                // RFC 2047 §5: never split one character's UTF-8 sequence across two words.
                while (p + take < bytes.Length && (bytes[p + take] & 0xC0) == 0x80)
                {
                    take--;
                }

                int length = WordStart.Length + ((take + 2) / 3 * 4) + WordEnd.Length;
                Space(length, EncodedLineLimit);
                _w.Append(WordStart);
                BodyEncoder.Base64Block(bytes, p, take, _w);
                _w.Append(WordEnd);
                _column += length;
                _encodedOnLine = true;
                p += take;
            }
            while (p < bytes.Length);
        }

        /// <summary>Octets an encoded-word may carry in <paramref name="room"/> characters: whole base64 quads, at most 75 characters.</summary>
        private static int WordBytes(int room)
        {
            if (room > EncodedWordLimit)
            {
                room = EncodedWordLimit;
            }

            int quads = (room - WordStart.Length - WordEnd.Length) / 4;
            return quads <= 0 ? 0 : quads * 3;
        }

        private void Space(int width, int limit)
        {
            if (_column + 1 + width > limit && _column > 1)
            {
                Fold();
                return;
            }

            _w.AppendByte((byte)' ');
            _column++;
        }

        private void Fold()
        {
            _w.AppendCrLf();
            _w.AppendByte((byte)' ');
            _column = 1;
            _encodedOnLine = false;
        }

        /// <summary>
        /// Words of printable ASCII separated by single spaces, none too long for a line, and no "=?" that a reader
        /// could take for an encoded-word (RFC 2047 §5). For a phrase the words must be atoms (RFC 5322 §3.2.3).
        /// </summary>
        private static bool IsPlain(string text, bool atoms)
        {
            if (text.Length == 0)
            {
                return !atoms;
            }

            if (text[0] == ' ' || text[text.Length - 1] == ' ' || text.IndexOf("=?") >= 0 || text.IndexOf("  ") >= 0)
            {
                return false;
            }

            int word = 0;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == ' ')
                {
                    word = 0;
                    continue;
                }

                if (c < 0x21 || c > 0x7E || (atoms && !Mailbox.IsAtext(c)) || ++word > LineLimit - 2)
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsPrintableAscii(string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] < 0x20 || text[i] > 0x7E)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
