using System;
using System.Threading;
using Emailcore.Nano.Alerts;
using Emailcore.Nano.Config;
using Emailcore.Nano.Mail;
using Emailcore.Nano.Platform;
using Emailcore.Nano.Relay;
using Emailcore.Nano.Smtp.Server;
using Emailcore.Nano.Tests.Portable;
using Emailcore.Nano.Tests.Support;
using Emailcore.Nano.Text;

namespace Emailcore.Nano.Tests
{
    /// <summary>
    /// Measures each board profile's managed heap at full load on the interpreter it runs on: the 79 KiB build
    /// takes the boards whose budget.txt names a heap under 200 000 bytes, the 10 MiB build the PSRAM boards.
    /// Full load: every session slot in the middle of DATA (the first after STARTTLS), the queue runner in the
    /// middle of a delivery, the DNS cache full, the spool index at its limit, an alert being composed.
    /// Prints one `heap:` line per board and `boardheap: N passed, N failed` (a board fails when the free heap at
    /// full load is below its budget.txt `margin`).
    /// </summary>
    public static class Program
    {
        private const int WaitMilliseconds = 60000;

        /// <summary>The managed heap the GC counts on the 79 KiB and the 10 MiB builds (tools README).</summary>
        private const long SmallHeap = 80856;
        private const long LargeHeap = 10485252;

        public static void Main()
        {
            try
            {
                Run();
            }
            catch (Exception e)
            {
                // The runner prints nothing for an unhandled exception, so the probe does.
                Console.WriteLine("boardheap: failed with " + e.GetType().Name + ": " + e.Message);
            }
        }

        private static void Run()
        {
            if (!Heap.Available)
            {
                Console.WriteLine("boardheap: not measured (built without nanoFramework.Runtime.Native)");
                return;
            }

            // What one simulator block costs on this heap, to take the flash's own bytes out of the figures.
            long before = Heap.Free();
            byte[] probe = new byte[FlashStore.BlockSize];
            long blockCost = before - Heap.Free();
            probe[0] = 1;
            bool small = before < 200000;

            string[] names = BoardProfiles.Names();
            string[] configs = BoardProfiles.MainCf();
            string[] budgets = BoardProfiles.Budget();
            int passed = 0;
            int failed = 0;
            for (int b = 0; b < names.Length; b++)
            {
                long heap = Budget(budgets[b], "managed_heap");
                if ((heap < 200000) != small)
                {
                    continue;
                }

                long margin = Budget(budgets[b], "margin");
                long used = (small ? SmallHeap : LargeHeap) - Measure(names[b], configs[b], blockCost);
                long free = heap - used;
                Console.WriteLine("heap: " + names[b] + " used_at_full_load=" + used.ToString() + " of managed_heap=" + heap.ToString() + ", free " + free.ToString()
                    + ", margin asked " + margin.ToString());
                if (free >= margin)
                {
                    passed++;
                }
                else
                {
                    failed++;
                    Console.WriteLine("FAIL heap " + names[b] + ": " + free.ToString() + " bytes free at full load, budget.txt asks for a margin of " + margin.ToString());
                }
            }

            Console.WriteLine("boardheap: " + passed.ToString() + " passed, " + failed.ToString() + " failed");
            if (small)
            {
                Exhaustion.Run();
            }
        }

        /// <summary>The value of "name value" in a budget.txt; 0 when absent.</summary>
        private static long Budget(string text, string name)
        {
            string[] lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                if (line.StartsWith(name + " "))
                {
                    long value;
                    return Ascii.TryParseDecimal(line.Substring(name.Length + 1).Trim(), long.MaxValue, out value) ? value : 0;
                }
            }

            return 0;
        }

        private static long Measure(string board, string mainCf, long blockCost)
        {
            long boot = Heap.Free();
            byte[] content = Utf8.GetBytes(mainCf);
            MainConfig config = MainConfig.Parse(content, content.Length, "boards/" + board + "/main.cf", true);

            // STARTTLS is offered when a certificate is configured; the handshake itself is the firmware's (mbedTLS).
            config.Set("smtpd_tls_cert_file", "cert.pem", 0);
            config.Set("smtpd_tls_key_file", "key.pem", 0);
            config.Set("alert_recipients", "ops@" + BoardNetwork.StallDomain, 0);
            int sessions = config.GetCount(Parameters.SmtpdClientConnectionCountLimit);
            int indexLimit = config.GetCount(Parameters.SpoolIndexLimit);
            int cacheEntries = config.GetCount(Parameters.DnsCacheEntries);

            var gate = new ManualResetEvent(false);
            var network = new BoardNetwork(gate);
            var clock = new ManualClock();
            var random = new SeededRandom(7);
            var log = new DiscardLog();
            var files = new MemoryFileSystem();
            var flash = new FlashStore(config.GetCount(Parameters.SpoolPageSize), config.GetSize(Parameters.QueueSizeLimit) * 2);
            long configured = Heap.Free();
            Spool.Spool spool = Spool.Spool.Open(config, flash, log, clock, false);
            long spooled = Heap.Free();
            var appliance = new Appliance(config, spool, network, files, clock, random, log, null);
            AlertService alerts = AlertService.Create(config, spool, clock, random, log);
            long idle = Heap.Free();
            Console.WriteLine("heap: " + board + " idle: config " + (boot - configured).ToString() + ", spool " + (configured - spooled).ToString()
                + ", server and queue " + (spooled - idle).ToString() + ", free " + idle.ToString());

            // The index at its limit once the sessions' and the alert's messages are open: first messages to domains
            // whose next hops refuse (each fills two cache entries: MX and A), the rest to the one that stalls.
            int queued = indexLimit - sessions - 1;
            int refused = cacheEntries / 2 < queued - 1 ? cacheEntries / 2 : queued - 1;
            for (int i = 0; i < queued; i++)
            {
                string domain = i < refused ? "d" + (i + 1).ToString() + ".example" : BoardNetwork.StallDomain;
                Check.True(Queue(spool, "dev" + i.ToString() + "@lan.example", "ops@" + domain), "message " + i.ToString() + " queued");
            }

            appliance.Start();
            try
            {
                return FullLoad(board, config, network, clients: null, alerts, gate, appliance, spool, flash, blockCost, boot, configured, spooled, idle, sessions, indexLimit, cacheEntries);
            }
            finally
            {
                // Whatever happened, no thread of this board stays parked at the gate (the CLR would wait for it forever).
                gate.Set();
            }
        }

        private static long FullLoad(string board, MainConfig config, BoardNetwork network, ScriptedConnection[] clients, AlertService alerts,
            ManualResetEvent gate, Appliance appliance, Spool.Spool spool, FlashStore flash, long blockCost, long boot, long configured, long spooled, long idle,
            int sessions, int indexLimit, int cacheEntries)
        {
            Await("the queue runner in the middle of a delivery", delegate { return network.Stalled != null && network.Stalled.Waiting; });
            clients = new ScriptedConnection[sessions];
            for (int i = 0; i < sessions; i++)
            {
                clients[i] = new ScriptedConnection();
                if (i == 0)
                {
                    clients[i].Then("EHLO printer.lan.example\r\nSTARTTLS\r\n");
                }

                clients[i].Then("EHLO printer.lan.example\r\nMAIL FROM:<printer@lan.example>\r\nRCPT TO:<ops@" + BoardNetwork.StallDomain + ">\r\nDATA\r\n")
                    .Then("Subject: scan " + i.ToString() + "\r\n\r\n" + new string('s', 700) + "\r\n").ThenWait(gate).Then(".\r\nQUIT\r\n");
                network.Offer(clients[i]);
            }

            Await("every session in the middle of DATA", delegate
            {
                for (int i = 0; i < clients.Length; i++)
                {
                    if (!clients[i].Waiting)
                    {
                        return false;
                    }
                }

                return true;
            });
            // The alert service's buffers are allocated once, at Create: one alert queued shows what a send leaves behind.
            Check.True(alerts.Send("door", "Door open", "Rack 3 door opened.").IsQueued, "the alert is queued at full load");

            long load = Heap.Free();
            long largest = Heap.LargestBlock(load);
            long simulator = flash.Blocks * blockCost;
            Console.WriteLine("heap: " + board + " free_at_start=" + boot.ToString() + " config=" + (boot - configured).ToString()
                + " spool=" + (configured - spooled).ToString() + " server_and_queue=" + (spooled - idle).ToString()
                + " load=" + (idle - load - simulator).ToString() + " free_at_full_load=" + (load + simulator).ToString()
                + " largest_block=" + largest.ToString() + " (flash simulator " + simulator.ToString() + " bytes not counted; sessions=" + sessions.ToString()
                + " index=" + indexLimit.ToString() + " dns_cache=" + cacheEntries.ToString() + ")");

            try
            {
                gate.Set();
                Await("the sessions to end", delegate { return appliance.Server.ActiveSessions == 0; });
                appliance.Stop();
                spool.Close();
            }
            catch (OutOfMemoryException)
            {
                // Draining at full load may need more than is left; the figures above are taken, the next board starts afresh.
                Console.WriteLine("heap: " + board + " ran out of memory while draining after the measurement");
            }

            // The flash simulator's bytes stand in for the board's flash, which is not managed heap.
            return load + simulator;
        }

        private static bool Queue(Spool.Spool spool, string from, string to)
        {
            var envelope = new Envelope(256, 1);
            byte[] path = Ascii.GetBytes(from);
            envelope.SetReversePath(path, 0, path.Length);
            byte[] rcpt = Ascii.GetBytes(to);
            envelope.AddRecipient(rcpt, 0, rcpt.Length, Notify.Failure | Notify.Delay, new byte[0], 0, 0);
            IMessageSink sink = spool.CreateSink();
            if (sink.Open(envelope) < 0)
            {
                return false;
            }

            byte[] body = Ascii.GetBytes("Subject: reading\r\n\r\nsensor 3: 21.5 C\r\n");
            return sink.Write(body, 0, body.Length) && sink.Commit();
        }

        private delegate bool Condition();

        private static void Await(string what, Condition condition)
        {
            for (int waited = 0; !condition(); waited += 20)
            {
                if (waited > WaitMilliseconds)
                {
                    throw new CheckFailed("timed out waiting for " + what);
                }

                Thread.Sleep(20);
            }
        }
    }
}
