using System.Threading;
using Emailcore.Nano.Config;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Smtp.Server
{
    /// <summary>
    /// The smtpd_sasl_users file: one user a line, "name:$pbkdf2-sha256$ITERATIONS$SALT$HASH", SALT and HASH in
    /// RFC 4648 base64 (HASH is 32 bytes); blank lines and lines starting with # are skipped. Only hashes are
    /// kept, never passwords. Checks are serialized on one PBKDF2 instance, so the table is safe across sessions.
    /// </summary>
    public sealed class SaslUsers
    {
        public const string Scheme = "$pbkdf2-sha256$";

        /// <summary>More rounds than this is a mistake or an attempt to stall the server.</summary>
        public const int MaxIterations = 10000000;

        /// <summary>
        /// The most rounds one board AUTH should cost: about 5 s at an estimated 200 PBKDF2-SHA-256 iterations per
        /// second on an ESP32 (the x86 interpreter does 700 to 3000: docs/PERFORMANCE.md). `config check --board`
        /// warns above it; a board's users need long random passwords instead of many rounds.
        /// </summary>
        public const int BoardIterationAdvice = 1000;

        /// <summary>Rounds of the most expensive entry (0 when the file is empty).</summary>
        public int HighestIterations
        {
            get
            {
                int highest = 0;
                for (int i = 0; i < Count; i++)
                {
                    highest = _iterations[i] > highest ? _iterations[i] : highest;
                }

                return highest;
            }
        }

        private readonly byte[][] _names;
        private readonly byte[][] _salts;
        private readonly byte[][] _hashes;
        private readonly int[] _iterations;
        private readonly PasswordHash _pbkdf2 = new PasswordHash();
        private readonly byte[] _derived = new byte[Sha256.HashSize];
        private readonly object _gate = new object();

        private SaslUsers(int capacity)
        {
            _names = new byte[capacity][];
            _salts = new byte[capacity][];
            _hashes = new byte[capacity][];
            _iterations = new int[capacity];
        }

        public int Count { get; private set; }

        /// <summary>Parses the file's content; throws <see cref="ConfigException"/> with the line of the first bad entry.</summary>
        public static SaslUsers Parse(byte[] content, int length, string fileName)
        {
            int lines = 1;
            for (int i = 0; i < length; i++)
            {
                if (content[i] == '\n')
                {
                    lines++;
                }
            }

            var users = new SaslUsers(lines);
            var decoder = new Base64Decoder();
            int lineNumber = 0;
            int p = 0;
            while (p < length)
            {
                int end = p;
                while (end < length && content[end] != '\n')
                {
                    end++;
                }

                lineNumber++;
                int lineEnd = end > p && content[end - 1] == '\r' ? end - 1 : end;
                if (lineEnd > p && content[p] != '#')
                {
                    string problem = users.Add(content, p, lineEnd - p, decoder);
                    if (problem != null)
                    {
                        throw new ConfigException(fileName, lineNumber, problem);
                    }
                }

                p = end + 1;
            }

            return users;
        }

        /// <summary>True when the user exists and the password matches. Costs one PBKDF2 run either way.</summary>
        public bool Check(byte[] name, int nameOffset, int nameLength, byte[] password, int passwordOffset, int passwordLength)
        {
            int index = Find(name, nameOffset, nameLength);
            Monitor.Enter(_gate);
            try
            {
                if (Count == 0)
                {
                    return false;
                }

                // An unknown user costs as much as a known one, so timing does not reveal which names exist.
                int costed = index < 0 ? 0 : index;
                _pbkdf2.Pbkdf2(password, passwordOffset, passwordLength, _salts[costed], _iterations[costed], _derived, Sha256.HashSize);
                bool match = PasswordHash.FixedTimeEquals(_derived, _hashes[costed], Sha256.HashSize);
                System.Array.Clear(_derived, 0, _derived.Length);
                return index >= 0 && match;
            }
            finally
            {
                Monitor.Exit(_gate);
            }
        }

        private int Find(byte[] name, int offset, int length)
        {
            for (int i = 0; i < Count; i++)
            {
                byte[] candidate = _names[i];
                if (candidate.Length != length)
                {
                    continue;
                }

                int j = 0;
                while (j < length && candidate[j] == name[offset + j])
                {
                    j++;
                }

                if (j == length)
                {
                    return i;
                }
            }

            return -1;
        }

        private string Add(byte[] line, int offset, int length, Base64Decoder decoder)
        {
            int end = offset + length;
            int colon = offset;
            while (colon < end && line[colon] != ':')
            {
                colon++;
            }

            if (colon == offset || colon == end)
            {
                return "expected name:" + Scheme + "iterations$salt$hash";
            }

            int p = colon + 1;
            if (end - p < Scheme.Length || !Ascii.EqualsIgnoreCase(line, p, Scheme.Length, Scheme))
            {
                return "unsupported hash: only " + Scheme + " is known";
            }

            p += Scheme.Length;
            int[] fields = new int[6];
            int field = 0;
            fields[0] = p;
            for (int i = p; i < end && field < 2; i++)
            {
                if (line[i] == '$')
                {
                    fields[2 * field + 1] = i;
                    field++;
                    fields[2 * field] = i + 1;
                }
            }

            if (field != 2)
            {
                return "expected " + Scheme + "iterations$salt$hash";
            }

            fields[5] = end;
            long iterations;
            if (!Ascii.TryParseDecimal(line, fields[0], fields[1] - fields[0], MaxIterations, out iterations) || iterations < 1)
            {
                return "iterations must be a number from 1 to " + MaxIterations.ToString();
            }

            byte[] salt = Decode(line, fields[2], fields[3] - fields[2], decoder);
            byte[] hash = Decode(line, fields[4], fields[5] - fields[4], decoder);
            if (salt == null || salt.Length == 0 || hash == null || hash.Length != Sha256.HashSize)
            {
                return "salt and hash must be base64, the hash 32 bytes";
            }

            byte[] name = new byte[colon - offset];
            System.Array.Copy(line, offset, name, 0, name.Length);
            if (Find(name, 0, name.Length) >= 0)
            {
                return "user \"" + Utf8.GetString(name, 0, name.Length) + "\" is listed twice";
            }

            _names[Count] = name;
            _salts[Count] = salt;
            _hashes[Count] = hash;
            _iterations[Count] = (int)iterations;
            Count++;
            return null;
        }

        private static byte[] Decode(byte[] text, int offset, int length, Base64Decoder decoder)
        {
            byte[] scratch = new byte[length];
            decoder.Start(scratch, 0, length);
            decoder.Feed(text, offset, length);
            if (!decoder.Finish())
            {
                return null;
            }

            byte[] result = new byte[decoder.Length];
            System.Array.Copy(scratch, result, result.Length);
            return result;
        }
    }
}
