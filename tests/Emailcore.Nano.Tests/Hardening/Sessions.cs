using System;
using System.Text;
using Emailcore.Nano.Config;
using Emailcore.Nano.Smtp.Server;

namespace Emailcore.Nano.Tests.Hardening
{
    /// <summary>Server settings for the hardening tests: host defaults, a fixed host name, optional changes.</summary>
    internal static class Sessions
    {
        public static ServerSettings Settings(Action<ServerSettings>? tweak = null)
        {
            var config = new MainConfig(board: false);
            config.Set("myhostname", "mx.example.com", 1);
            ServerSettings settings = ServerSettings.From(config);
            settings.ErrorSleepMilliseconds = 0;
            tweak?.Invoke(settings);
            return settings;
        }

        /// <summary>A users table with alice, her password "secret", 100 PBKDF2 iterations.</summary>
        public static SaslUsers Users()
        {
            byte[] salt = Encoding.ASCII.GetBytes("hardening-salt16");
            byte[] hash = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes("secret"), salt, 100, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
            byte[] file = Encoding.ASCII.GetBytes("alice:$pbkdf2-sha256$100$" + Convert.ToBase64String(salt) + "$" + Convert.ToBase64String(hash) + "\n");
            return SaslUsers.Parse(file, file.Length, "users");
        }
    }
}
