using System.Collections.Generic;
using Emailcore.Nano.Dns;

namespace Emailcore.Nano.Host.Policy
{
    /// <summary>One answer as the policies need it: the rdata of the records asked for, and whether the resolver vouched for it.</summary>
    public sealed record PolicyAnswer(LookupStatus Status, bool Authentic, List<byte[]> Records, string? Error);

    /// <summary>
    /// TXT, TLSA, MX and A questions for MTA-STS and DANE through the core's transport (dns_servers, dns_timeout, ...), uncached:
    /// the MTA-STS cache and a short pass are all that reuse them. One instance per thread (the transport's buffers are its own).
    /// </summary>
    public sealed class PolicyDns
    {
        private readonly DnsTransport _transport;
        private readonly DnsName _name = new();
        private readonly DnsRecord _record = new();

        public PolicyDns(DnsTransport transport)
        {
            _transport = transport;
        }

        /// <summary>A name that cannot be a DNS name ("_25._tcp." in front of a long host) is answered as one that does not exist.</summary>
        public PolicyAnswer Query(string name, int type)
        {
            var records = new List<byte[]>();
            try
            {
                _name.Set(name);
            }
            catch (DnsException e)
            {
                return new PolicyAnswer(LookupStatus.NameError, false, records, e.Message);
            }

            DnsMessage? message = _transport.Query(_name, type);
            if (message == null)
            {
                return new PolicyAnswer(LookupStatus.Failed, false, records, _transport.LastError);
            }

            if (message.Rcode == ResponseCode.NameError)
            {
                return new PolicyAnswer(LookupStatus.NameError, message.AuthenticData, records, "NXDOMAIN for " + name);
            }

            // The recursive resolver answers with the CNAME chain and its end: every record of the type asked for belongs to the name.
            int p = message.AnswerOffset;
            for (int i = 0; i < message.AnswerCount; i++)
            {
                p = message.ReadRecord(p, _record);
                if (_record.Type == type && _record.Class == RecordType.ClassIn)
                {
                    records.Add(message.Buffer[_record.RdataOffset..(_record.RdataOffset + _record.RdataLength)]);
                }
            }

            LookupStatus status = records.Count > 0 ? LookupStatus.Found : LookupStatus.NoData;
            return new PolicyAnswer(status, message.AuthenticData, records, status == LookupStatus.NoData ? "no " + RecordType.Name(type) + " records for " + name : null);
        }
    }
}
