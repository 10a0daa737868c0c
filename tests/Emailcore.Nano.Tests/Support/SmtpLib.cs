using System.Linq;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>Python's smtplib as a client of a relay on loopback.</summary>
    public static class SmtpLib
    {
        /// <summary>One message in one session (EHLO client.example, MAIL, RCPT for each of <paramref name="to"/>, DATA).</summary>
        public static RunResult Send(int port, string from, string[] to, string message)
        {
            string rcpts = string.Join(", ", to.Select(t => "'" + t + "'"));
            return Python.Run($$"""
                import smtplib, sys
                s = smtplib.SMTP('127.0.0.1', {{port}}, timeout=20)
                s.ehlo('client.example')
                s.sendmail('{{from}}', [{{rcpts}}], sys.stdin.buffer.read())
                s.quit()
                """, message);
        }
    }
}
