#nullable disable
using Emailcore.Nano.Mail;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Tests.Portable
{
    /// <summary>FIPS 180-4 SHA-256, RFC 4231 HMAC-SHA-256, RFC 8018 PBKDF2 (RFC 7914 §11 vectors), RFC 4648 base64, RFC 5322 dates.</summary>
    public static class CryptoCases
    {
        public static void Register(TestList t)
        {
            Sha("empty", new byte[0], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", t);
            Sha("abc", Ascii.GetBytes("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", t);
            Sha("two blocks", Ascii.GetBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", t);
            Sha("1000 a", Ascii.GetBytes(new string('a', 1000)), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3", t);
            Hmac("RFC 4231 case 1", Repeat(0x0b, 20), Ascii.GetBytes("Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", t);
            Hmac("RFC 4231 case 2", Ascii.GetBytes("Jefe"), Ascii.GetBytes("what do ya want for nothing?"), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", t);
            Hmac("RFC 4231 case 6 (key longer than a block)", Repeat(0xaa, 131), Ascii.GetBytes("Test Using Larger Than Block-Size Key - Hash Key First"), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", t);
            Pbkdf2("1 iteration", "password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b", t);
            Pbkdf2("2 iterations", "password", "salt", 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43", t);
            Pbkdf2("4096 iterations", "password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a", t);
            Pbkdf2("long password and salt", "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 40, "3823bf8b3f8ee9000e8747ff03fc7132136b0d13d3c5ae269265d587d77e9e93", t);

            string[] base64 = { "", "ok", "", "YQ==", "ok", "a", "YWI=", "ok", "ab", "YWJj", "ok", "abc", "YWJjZA==", "ok", "abcd",
                "YQ", "bad", "", "YQ==YQ==", "bad", "", "Y===", "bad", "", "YW I=", "bad", "" };
            for (int i = 0; i < base64.Length; i += 3)
            {
                string text = base64[i];
                bool valid = base64[i + 1] == "ok";
                string expected = base64[i + 2];
                t.Add("Crypto.base64 decoder " + (valid ? "takes" : "refuses") + " \"" + text + "\"", delegate { Base64(text, valid, expected); });
            }

            t.Add("Crypto.users file checks passwords", delegate
            {
                SaslUsers users = SessionCases.Users();
                byte[] name = Ascii.GetBytes("alice");
                byte[] right = Ascii.GetBytes("s3cret pass");
                byte[] wrong = Ascii.GetBytes("s3cret pasS");
                Check.True(users.Check(name, 0, name.Length, right, 0, right.Length), "the right password");
                Check.False(users.Check(name, 0, name.Length, wrong, 0, wrong.Length), "a wrong password");
                Check.False(users.Check(Ascii.GetBytes("bob"), 0, 3, right, 0, right.Length), "an unknown user");
            });
            t.Add("Crypto.RFC 5322 date, single-digit day", delegate { Check.Equal("Sun, 3 Jan 2027 04:05:06 +0000", Rfc5322Date.Format(Support.Utc.At(2027, 1, 3, 4, 5, 6))); });
            t.Add("Crypto.RFC 5322 date, leap day", delegate { Check.Equal("Thu, 29 Feb 2024 23:59:59 +0000", Rfc5322Date.Format(Support.Utc.At(2024, 2, 29, 23, 59, 59))); });
        }

        private static byte[] Repeat(int value, int count)
        {
            var bytes = new byte[count];
            for (int i = 0; i < count; i++)
            {
                bytes[i] = (byte)value;
            }

            return bytes;
        }

        public static string Hex(byte[] bytes)
        {
            const string Digits = "0123456789abcdef";
            var chars = new char[bytes.Length * 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = Digits[bytes[i] >> 4];
                chars[(2 * i) + 1] = Digits[bytes[i] & 0xF];
            }

            return new string(chars);
        }

        private static void Sha(string name, byte[] data, string expected, TestList t)
        {
            t.Add("Crypto.SHA-256 " + name, delegate
            {
                var sha = new Sha256();
                byte[] digest = new byte[Sha256.HashSize];

                // Fed in uneven pieces, to cross block boundaries.
                for (int i = 0; i < data.Length; i += 7)
                {
                    sha.Update(data, i, data.Length - i < 7 ? data.Length - i : 7);
                }

                sha.Final(digest, 0);
                Check.Equal(expected, Hex(digest));
            });
        }

        private static void Hmac(string name, byte[] key, byte[] message, string expected, TestList t)
        {
            t.Add("Crypto.HMAC-SHA-256 " + name, delegate
            {
                byte[] mac = new byte[Sha256.HashSize];
                new PasswordHash().Hmac(key, 0, key.Length, message, 0, message.Length, mac);
                Check.Equal(expected, Hex(mac));
            });
        }

        private static void Pbkdf2(string name, string password, string salt, int iterations, string expected, TestList t)
        {
            t.Add("Crypto.PBKDF2-HMAC-SHA-256 " + name, delegate
            {
                byte[] p = Ascii.GetBytes(password);
                byte[] derived = new byte[32];
                new PasswordHash().Pbkdf2(p, 0, p.Length, Ascii.GetBytes(salt), iterations, derived, 32);
                Check.Equal(expected, Hex(derived));
            });
        }

        private static void Base64(string text, bool valid, string expected)
        {
            var decoder = new Base64Decoder();
            byte[] output = new byte[16];
            decoder.Start(output, 0, output.Length);
            byte[] input = Ascii.GetBytes(text);
            for (int i = 0; i < input.Length; i++)
            {
                decoder.Feed(input, i, 1);
            }

            Check.True(decoder.Finish() == valid, valid ? "decodes" : "is refused");
            if (valid)
            {
                Check.Equal(expected, Ascii.GetString(output, 0, decoder.Length));
            }
        }
    }
}
