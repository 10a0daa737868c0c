using System.CommandLine;
using Emailcore.Nano.Host.Commands;

namespace Emailcore.Nano.Host
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            HostParameters.Register();
            var root = new RootCommand("emailcore: the Emailcore.Nano SMTP relay and client on .NET")
            {
                ConfigCommands.Create(),
                DnsCommands.Create(),
                RelayCommand.Create(),
                QueueCommands.Queue(),
                QueueCommands.Flush(),
                QueueCommands.Spool(),
                SendCommand.Create(),
                SendmailCommand.Create(),
            };
            return root.Parse(args).Invoke();
        }
    }
}
