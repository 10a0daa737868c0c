namespace Emailcore.Nano.Dns
{
    /// <summary>RFC 1035 §3.2.2 TYPE values (and RFC 3596 AAAA, RFC 6891 OPT, RFC 6698 TLSA) the resolver speaks, and class IN.</summary>
    public static class RecordType
    {
        public const int A = 1;
        public const int Cname = 5;
        public const int Soa = 6;
        public const int Ptr = 12;
        public const int Mx = 15;
        public const int Txt = 16;
        public const int Aaaa = 28;
        public const int Opt = 41;
        public const int Tlsa = 52;

        /// <summary>RFC 1035 §3.2.4: the Internet class.</summary>
        public const int ClassIn = 1;

        public static string Name(int type)
        {
            switch (type)
            {
                case A:
                    return "A";
                case Cname:
                    return "CNAME";
                case Soa:
                    return "SOA";
                case Ptr:
                    return "PTR";
                case Mx:
                    return "MX";
                case Aaaa:
                    return "AAAA";
                case Txt:
                    return "TXT";
                case Tlsa:
                    return "TLSA";
                default:
                    return "TYPE" + type.ToString();
            }
        }
    }

    /// <summary>RFC 1035 §4.1.1 RCODE values.</summary>
    public static class ResponseCode
    {
        public const int NoError = 0;
        public const int FormatError = 1;
        public const int ServerFailure = 2;
        public const int NameError = 3;
        public const int NotImplemented = 4;
        public const int Refused = 5;

        public static string Name(int rcode)
        {
            switch (rcode)
            {
                case NoError:
                    return "NOERROR";
                case FormatError:
                    return "FORMERR";
                case ServerFailure:
                    return "SERVFAIL";
                case NameError:
                    return "NXDOMAIN";
                case NotImplemented:
                    return "NOTIMP";
                case Refused:
                    return "REFUSED";
                default:
                    return "RCODE" + rcode.ToString();
            }
        }
    }
}
