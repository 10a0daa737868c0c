using System;
using System.Security.Cryptography;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Tests.Support;
using Xunit;

namespace Emailcore.Nano.Tests.Smtp.Server
{
    public sealed class PasswordTests
    {
        [Theory]
        [InlineData(0)]
        [InlineData(3)]
        [InlineData(55)]
        [InlineData(56)]
        [InlineData(63)]
        [InlineData(64)]
        [InlineData(65)]
        [InlineData(1000)]
        public void Sha256MatchesDotNet(int length)
        {
            byte[] data = RandomNumberGenerator.GetBytes(length);
            var sha = new Sha256();
            byte[] digest = new byte[32];

            // Fed in uneven pieces, to cross block boundaries.
            for (int i = 0; i < length; i += 7)
            {
                sha.Update(data, i, Math.Min(7, length - i));
            }

            sha.Final(digest, 0);
            Assert.Equal(SHA256.HashData(data), digest);
        }

        [Theory]
        [InlineData(1, 16, 5)]
        [InlineData(1000, 16, 11)]
        [InlineData(2, 8, 100)]
        public void Pbkdf2AndHmacMatchDotNet(int iterations, int saltLength, int passwordLength)
        {
            byte[] password = RandomNumberGenerator.GetBytes(passwordLength);
            byte[] salt = RandomNumberGenerator.GetBytes(saltLength);
            var hash = new PasswordHash();
            byte[] derived = new byte[32];
            hash.Pbkdf2(password, 0, password.Length, salt, iterations, derived, 32);
            Assert.Equal(Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, 32), derived);

            byte[] mac = new byte[32];
            hash.Hmac(password, 0, password.Length, salt, 0, salt.Length, mac);
            Assert.Equal(HMACSHA256.HashData(password, salt), mac);
        }

        private static SaslUsers Users(string user, string password, int iterations)
        {
            byte[] salt = RandomNumberGenerator.GetBytes(16);
            byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
            byte[] file = Encoding.UTF8.GetBytes(user + ":$pbkdf2-sha256$" + iterations + "$" + Convert.ToBase64String(salt) + "$" + Convert.ToBase64String(hash) + "\n");
            return SaslUsers.Parse(file, file.Length, "users");
        }

        [Fact]
        public void UsersFileChecksPasswords()
        {
            SaslUsers users = Users("alice", "pw", 10);
            byte[] name = Encoding.UTF8.GetBytes("alice");
            Assert.True(users.Check(name, 0, name.Length, Encoding.UTF8.GetBytes("pw"), 0, 2));
            Assert.False(users.Check(name, 0, name.Length, Encoding.UTF8.GetBytes("pX"), 0, 2));
            Assert.False(users.Check(Encoding.UTF8.GetBytes("bob"), 0, 3, Encoding.UTF8.GetBytes("pw"), 0, 2));
        }

        [Theory]
        [InlineData("alice\n", 1)]
        [InlineData("# c\nalice:{plain}pw\n", 2)]
        [InlineData("alice:$pbkdf2-sha256$x$c2FsdA==$AAAA\n", 1)]
        [InlineData("alice:$pbkdf2-sha256$10$c2FsdA==$AAAA\n", 1)]
        [InlineData("alice:$pbkdf2-sha256$10$c2FsdA==\n", 1)]
        public void BadUsersFilesNameTheLine(string content, int line)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(content);
            var e = Assert.Throws<ConfigException>(() => SaslUsers.Parse(bytes, bytes.Length, "users"));
            Assert.Contains("users:" + line, e.Message);
        }

        [Fact]
        public void DocumentedPythonOneLinerMakesUsableEntries()
        {
            // The README's recipe, run with Debian's python3.
            RunResult made = Run.Program("/usr/bin/python3", new[]
            {
                "-c",
                "import base64,hashlib,os,sys; u,p=sys.argv[1:3]; s=os.urandom(16); n=100000; "
                + "print('%s:$pbkdf2-sha256$%d$%s$%s' % (u, n, base64.b64encode(s).decode(), base64.b64encode(hashlib.pbkdf2_hmac('sha256', p.encode(), s, n)).decode()))",
                "carol", "correct horse",
            });
            Assert.True(made.ExitCode == 0, made.ToString());
            byte[] file = Encoding.UTF8.GetBytes(made.StandardOutput);
            SaslUsers users = SaslUsers.Parse(file, file.Length, "users");
            byte[] name = Encoding.UTF8.GetBytes("carol");
            byte[] password = Encoding.UTF8.GetBytes("correct horse");
            Assert.True(users.Check(name, 0, name.Length, password, 0, password.Length));
        }
    }
}
