using System.Text;

namespace Petrel.Ike.Wire;

/// <summary>
/// One-line rendering of a message as strongSwan logs it ("IKE_AUTH request 1 [ IDi N(INIT_CONTACT) AUTH SA TSi TSr ]"),
/// so Petrel's logs can be read side by side with a strongSwan peer's.
/// </summary>
public static class MessageSummary
{
    public static string Describe(IkeMessage message)
    {
        var sb = new StringBuilder();
        sb.Append(ExchangeName(message.ExchangeType)).Append(message.IsResponse ? " response " : " request ").Append(message.MessageId).Append(" [ ");
        foreach (var p in message.Payloads)
            sb.Append(PayloadName(p)).Append(' ');
        return sb.Append(']').ToString();
    }

    public static string ExchangeName(ExchangeType type) => type switch
    {
        ExchangeType.IkeSaInit => "IKE_SA_INIT",
        ExchangeType.IkeAuth => "IKE_AUTH",
        ExchangeType.CreateChildSa => "CREATE_CHILD_SA",
        ExchangeType.Informational => "INFORMATIONAL",
        ExchangeType.IkeSessionResume => "IKE_SESSION_RESUME",
        ExchangeType.IkeIntermediate => "IKE_INTERMEDIATE",
        ExchangeType.IkeFollowupKe => "IKE_FOLLOWUP_KE",
        _ => $"EXCHANGE_TYPE_{(byte)type}",
    };

    public static string PayloadName(IkePayload payload) => payload switch
    {
        NotifyPayload n => $"N({NotifyName(n.NotifyType)})",
        ConfigurationPayload cp => cp.ConfigurationType switch
        {
            ConfigurationType.Request => "CPRQ",
            ConfigurationType.Reply => "CPRP",
            ConfigurationType.Set => "CPS",
            ConfigurationType.Ack => "CPA",
            _ => "CP",
        },
        EncryptedFragmentPayload f => $"EF({f.FragmentNumber}/{f.TotalFragments})",
        _ => payload.Type switch
        {
            PayloadType.SecurityAssociation => "SA",
            PayloadType.KeyExchange => "KE",
            PayloadType.IdentificationInitiator => "IDi",
            PayloadType.IdentificationResponder => "IDr",
            PayloadType.Certificate => "CERT",
            PayloadType.CertificateRequest => "CERTREQ",
            PayloadType.Authentication => "AUTH",
            PayloadType.Nonce => "No",
            PayloadType.Delete => "D",
            PayloadType.VendorId => "V",
            PayloadType.TrafficSelectorInitiator => "TSi",
            PayloadType.TrafficSelectorResponder => "TSr",
            PayloadType.Encrypted => "E",
            PayloadType.Eap => "EAP",
            var t => $"({(byte)t})",
        },
    };

    /// <summary>strongSwan's short notify names; others fall back to the RFC name.</summary>
    public static string NotifyName(NotifyType type) => type switch
    {
        NotifyType.UnsupportedCriticalPayload => "UNSUPPORTED_CRITICAL_PAYLOAD",
        NotifyType.InvalidIkeSpi => "INVAL_IKE_SPI",
        NotifyType.InvalidMajorVersion => "INVAL_MAJOR",
        NotifyType.InvalidSyntax => "INVAL_SYN",
        NotifyType.InvalidMessageId => "INVAL_MID",
        NotifyType.InvalidSpi => "INVAL_SPI",
        NotifyType.NoProposalChosen => "NO_PROP",
        NotifyType.InvalidKePayload => "INVAL_KE",
        NotifyType.AuthenticationFailed => "AUTH_FAILED",
        NotifyType.SinglePairRequired => "SINGLE_PAIR",
        NotifyType.NoAdditionalSas => "NO_ADD_SAS",
        NotifyType.InternalAddressFailure => "INT_ADDR_FAIL",
        NotifyType.FailedCpRequired => "FAIL_CP_REQ",
        NotifyType.TsUnacceptable => "TS_UNACCEPT",
        NotifyType.InvalidSelectors => "INVAL_SEL",
        NotifyType.TemporaryFailure => "TEMP_FAIL",
        NotifyType.ChildSaNotFound => "CHILD_SA_NOT_FOUND",
        NotifyType.InitialContact => "INIT_CONTACT",
        NotifyType.SetWindowSize => "SET_WINSIZE",
        NotifyType.AdditionalTsPossible => "ADD_TS_POSS",
        NotifyType.IpcompSupported => "IPCOMP_SUP",
        NotifyType.NatDetectionSourceIp => "NATD_S_IP",
        NotifyType.NatDetectionDestinationIp => "NATD_D_IP",
        NotifyType.Cookie => "COOKIE",
        NotifyType.UseTransportMode => "USE_TRANSP",
        NotifyType.HttpCertLookupSupported => "HTTP_CERT_LOOK",
        NotifyType.RekeySa => "REKEY_SA",
        NotifyType.EspTfcPaddingNotSupported => "ESP_TFC_PAD_N",
        NotifyType.NonFirstFragmentsAlso => "NON_FIRST_FRAG",
        NotifyType.MobikeSupported => "MOBIKE_SUP",
        NotifyType.AdditionalIp4Address => "ADD_4_ADDR",
        NotifyType.AdditionalIp6Address => "ADD_6_ADDR",
        NotifyType.NoAdditionalAddresses => "NO_ADD_ADDR",
        NotifyType.UpdateSaAddresses => "UPD_SA_ADDR",
        NotifyType.Cookie2 => "COOKIE2",
        NotifyType.NoNatsAllowed => "NO_NATS",
        NotifyType.AuthLifetime => "AUTH_LFT",
        NotifyType.MultipleAuthSupported => "MULT_AUTH",
        NotifyType.AnotherAuthFollows => "AUTH_FOLLOWS",
        NotifyType.RedirectSupported => "REDIR_SUP",
        NotifyType.Redirect => "REDIR",
        NotifyType.RedirectedFrom => "REDIR_FROM",
        NotifyType.EapOnlyAuthentication => "EAP_ONLY",
        NotifyType.ChildlessIkev2Supported => "CHDLESS_SUP",
        NotifyType.Ikev2FragmentationSupported => "FRAG_SUP",
        NotifyType.SignatureHashAlgorithms => "HASH_ALG",
        NotifyType.IntermediateExchangeSupported => "IKE_INT_SUP",
        NotifyType.AdditionalKeyExchange => "ADD_KE",
        _ => Enum.IsDefined(type) ? RfcName(type.ToString()) : ((ushort)type).ToString(),
    };

    // "UseAggfrag" -> "USE_AGGFRAG": the enum names follow the RFC names in PascalCase.
    private static string RfcName(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 8);
        for (int i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]) && !char.IsUpper(pascal[i - 1])) sb.Append('_');
            sb.Append(char.ToUpperInvariant(pascal[i]));
        }
        return sb.ToString();
    }
}
