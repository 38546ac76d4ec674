namespace Petrel.Platform.Net;

/// <summary>
/// The numbers of the rtnetlink protocol (linux/netlink.h, linux/rtnetlink.h, linux/fib_rules.h,
/// linux/if_link.h) that <see cref="RtNetlink"/> uses, and the sizes of the fixed headers.
/// </summary>
internal static class RtNetlinkProtocol
{
    public const int AF_NETLINK = 16;
    public const int NETLINK_ROUTE = 0;

    /// <summary>struct nlmsghdr: u32 length, u16 type, u16 flags, u32 sequence, u32 port id.</summary>
    public const int HeaderLength = 16;
    /// <summary>struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, u32 flags.</summary>
    public const int RouteHeaderLength = 12;
    /// <summary>struct fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action, u32 flags.</summary>
    public const int RuleHeaderLength = 12;
    /// <summary>struct ifinfomsg: family, pad, u16 type, s32 index, u32 flags, u32 change.</summary>
    public const int LinkHeaderLength = 16;
    /// <summary>struct rtattr: u16 length, u16 type, then the value padded to 4 bytes.</summary>
    public const int AttributeHeaderLength = 4;

    public const ushort NLMSG_NOOP = 1;
    public const ushort NLMSG_ERROR = 2;
    public const ushort NLMSG_DONE = 3;

    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_GETLINK = 18;
    public const ushort RTM_NEWADDR = 20;
    public const ushort RTM_GETADDR = 22;
    public const ushort RTM_NEWROUTE = 24;
    public const ushort RTM_DELROUTE = 25;
    public const ushort RTM_GETROUTE = 26;
    public const ushort RTM_NEWRULE = 32;
    public const ushort RTM_DELRULE = 33;

    public const ushort NLM_F_REQUEST = 0x1;
    public const ushort NLM_F_MULTI = 0x2;
    public const ushort NLM_F_ACK = 0x4;
    public const ushort NLM_F_DUMP = 0x300;
    public const ushort NLM_F_REPLACE = 0x100;
    public const ushort NLM_F_EXCL = 0x200;
    public const ushort NLM_F_CREATE = 0x400;

    public const ushort RTA_DST = 1;
    public const ushort RTA_OIF = 4;
    public const ushort RTA_GATEWAY = 5;
    public const ushort RTA_PREFSRC = 7;
    public const ushort RTA_TABLE = 15;

    public const ushort IFLA_IFNAME = 3;

    /// <summary>struct ifaddrmsg: family, prefixlen, flags, scope, u32 index.</summary>
    public const int AddressHeaderLength = 8;
    public const ushort IFA_ADDRESS = 1;
    public const ushort IFA_LOCAL = 2;

    public const ushort FRA_PRIORITY = 6;
    public const ushort FRA_FWMARK = 10;
    public const ushort FRA_TABLE = 15;

    public const byte RT_TABLE_UNSPEC = 0;
    public const byte RT_TABLE_MAIN = 254;
    public const byte RT_SCOPE_UNIVERSE = 0;
    public const byte RT_SCOPE_LINK = 253;
    public const byte RT_SCOPE_NOWHERE = 255;
    public const byte RTPROT_BOOT = 3;
    public const byte RTN_UNICAST = 1;
    public const uint RTM_F_CLONED = 0x200;

    public const byte FR_ACT_TO_TBL = 1;
    public const uint FIB_RULE_INVERT = 0x2;

    /// <summary>NLMSG_ALIGN / RTA_ALIGN: messages and attributes start on 4-byte boundaries.</summary>
    public static int Align(int length) => (length + 3) & ~3;
}
