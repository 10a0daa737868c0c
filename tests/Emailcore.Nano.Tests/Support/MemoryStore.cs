using System.Collections.Generic;
using Emailcore.Nano.Mail;

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>An <see cref="IMessageStore"/> that keeps every message it was handed, committed or not, for inspection.</summary>
    public sealed class MemoryStore : IMessageStore
    {
        private readonly long _capacity;

        public MemoryStore(long capacity = long.MaxValue)
        {
            _capacity = capacity;
        }

        public List<MemoryMessage> Messages { get; } = new();

        public IMessageSink CreateSink()
        {
            var message = new MemoryMessage(_capacity);
            lock (Messages)
            {
                Messages.Add(message);
            }

            return message;
        }
    }
}
