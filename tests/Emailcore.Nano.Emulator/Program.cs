using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using Emailcore.Nano.Alerts;
using Emailcore.Nano.Config;
using Emailcore.Nano.Device;
using Emailcore.Nano.Device.Platform;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Tests;
using Emailcore.Nano.Tests.Support;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Emulator
{
    /// <summary>
    /// The board's program on the emulator. The posix nanoCLR takes only .pe files on its command line and has no
    /// file system, so main.cf comes over the emulator's console instead of I:\: a TCP control port on loopback,
    /// printed as `emulator: control 127.0.0.1:PORT`. Each control connection carries one command line, and for
    /// `start` the file's bytes, and gets one reply line:
    /// <list type="bullet">
    /// <item>`start SMTP_PORT LENGTH` + main.cf: the board's start-up (<see cref="BoardRelay"/>) with board defaults;
    /// `ok listen=ADDRESS:PORT...` (a port 0 listener shows the port it got) or `error: file:line: message`.
    /// SMTP_PORT (0: none) is where connections to TCP port 25 go, since tests cannot bind port 25.</item>
    /// <item>`alert KEY` + subject line + text: the alert API (Program.Alerts on a board); `Queued ID` or the outcome.</item>
    /// <item>`heap`: free managed heap after a full GC, the largest free block, and the simulator's flash bytes.</item>
    /// <item>`stop`: the appliance stops as on a shutdown; then the program ends.</item>
    /// </list>
    /// </summary>
    public static class Program
    {
        private const int CommandLimit = 256;
        private const int ReadMilliseconds = 10000;

        private static readonly DebugLog Log = new DebugLog();
        private static readonly MemoryFileSystem Files = new MemoryFileSystem();
        private static BoardRelay _relay;
        private static MainConfig _config;
        private static long _blockCost;

        public static void Main()
        {
            try
            {
                Serve();
            }
            catch (Exception e)
            {
                // The runner prints nothing for an unhandled exception and exits 0: the program says it.
                Console.WriteLine("emulator: failed with " + e.GetType().Name + ": " + e.Message);
            }

            Console.WriteLine("emulator: exit");
        }

        private static void Serve()
        {
            // What one simulator block costs on this heap, to take the flash's bytes out of the heap figures.
            long before = Heap.Free();
            byte[] block = new byte[FlashStore.BlockSize];
            _blockCost = before - Heap.Free();
            block[0] = 1;

            var control = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            control.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 0));
            control.Listen(1);
            Console.WriteLine("emulator: control " + control.LocalEndPoint.ToString() + " free " + Heap.Free().ToString());
            while (true)
            {
                Socket client = control.Accept();
                bool stop;
                try
                {
                    stop = Handle(client);
                }
                finally
                {
                    client.Close();
                }

                if (stop)
                {
                    control.Close();
                    return;
                }
            }
        }

        private static bool Handle(Socket client)
        {
            string[] words = ReadLine(client).Split(' ');
            string reply;
            try
            {
                reply = Run(client, words);
            }
            catch (ConfigException e)
            {
                reply = "error: " + e.Message;
            }
            catch (ConnectionException e)
            {
                reply = "error: " + e.Message;
            }
            catch (OutOfMemoryException)
            {
                // What a 79 KiB board would do with this main.cf: it does not fit.
                reply = "error: out of memory";
            }

            byte[] bytes = Ascii.GetBytes(reply + "\n");
            client.Send(bytes, 0, bytes.Length, SocketFlags.None);
            return words[0] == "stop";
        }

        private static string Run(Socket client, string[] words)
        {
            if ((_relay == null) != (words[0] == "start"))
            {
                return _relay == null ? "error: not started" : "error: started already";
            }

            switch (words[0])
            {
                case "start":
                    return Start(client, words);
                case "alert":
                    return Alert(client, words);
                case "heap":
                    return HeapFigures();
                case "stop":
                    _relay.Appliance.Stop();
                    return "stopped";
                default:
                    return "error: unknown command " + words[0];
            }
        }

        private static string Start(Socket client, string[] words)
        {
            int smtpPort = int.Parse(words[1]);
            byte[] content = new byte[int.Parse(words[2])];
            ReadExactly(client, content);
            _config = MainConfig.Parse(content, content.Length, "main.cf", true);
            EmulatorTls.Refuse(_config);
            var random = new DeviceRandom();
            var network = new MovedPortNetwork(new DeviceNetwork(new DeviceTls(null, null, _config.GetCount(Parameters.TlsSessionLimit)), random), NextHop.SmtpPort, smtpPort);
            _relay = BoardRelay.Start(_config, Files, network, new DeviceClock(), random, Log);
            string reply = "ok";
            for (int i = 0; i < _relay.Appliance.Listeners.Length; i++)
            {
                reply += " listen=" + _relay.Appliance.Server.LocalEndpoint(i).ToString();
            }

            return reply;
        }

        private static string Alert(Socket client, string[] words)
        {
            string subject = ReadLine(client);
            string text = ReadLine(client);
            AlertOutcome outcome = _relay.Alerts.Send(words[1], subject, text);
            return outcome.IsQueued ? "Queued " + outcome.QueueId.ToString() : outcome.Status.ToString() + " " + outcome.Detail;
        }

        /// <summary>The simulator's blocks stand in for the board's flash, which is not managed heap: they are counted apart.</summary>
        private static string HeapFigures()
        {
            long free = Heap.Free();
            long largest = Heap.LargestBlock(free);
            long flash = Files.Store(_config.GetString(Parameters.QueueDirectory)).Blocks * _blockCost;
            return "free=" + free.ToString() + " largest=" + largest.ToString() + " flash=" + flash.ToString()
                + " sessions=" + _relay.Appliance.Server.ActiveSessions.ToString();
        }

        private static string ReadLine(Socket client)
        {
            var line = new byte[CommandLimit];
            int length = 0;
            var one = new byte[1];
            while (length < line.Length && Receive(client, one, 0, 1) == 1 && one[0] != (byte)'\n')
            {
                line[length++] = one[0];
            }

            return Ascii.GetString(line, 0, length);
        }

        private static void ReadExactly(Socket client, byte[] buffer)
        {
            for (int done = 0; done < buffer.Length;)
            {
                int n = Receive(client, buffer, done, buffer.Length - done);
                if (n <= 0)
                {
                    throw new ConnectionException("control connection closed after " + done.ToString() + " of " + buffer.Length.ToString() + " bytes");
                }

                done += n;
            }
        }

        private static int Receive(Socket client, byte[] buffer, int offset, int count)
        {
            if (!client.Poll(ReadMilliseconds * 1000, SelectMode.SelectRead))
            {
                throw new ConnectionException("control connection idle");
            }

            return client.Receive(buffer, offset, count, SocketFlags.None);
        }
    }
}
