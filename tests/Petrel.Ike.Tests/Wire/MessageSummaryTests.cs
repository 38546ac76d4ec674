using Petrel.Ike.Tests.Wire.Captures;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Wire;

public class MessageSummaryTests
{
    [Fact]
    public void Captured_ike_sa_init_reads_like_a_strongswan_log_line()
    {
        var capture = Ikev2Capture.Load("ikev2-decrypt-aes256gcm16.pcap");
        Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(capture.Datagrams[0].Payload, null, out var request, out _));
        Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(capture.Datagrams[1].Payload, null, out var response, out _));
        Assert.Equal("IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]", request!.ToString());
        Assert.Equal("IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(MULT_AUTH) ]", response!.ToString());
        Assert.Equal("IKE_AUTH request 1 [ E ]", Decode(capture.Datagrams[2].Payload).ToString());
    }

    [Fact]
    public void Every_payload_and_unknown_values_have_a_name()
    {
        var m = new IkeMessage { ExchangeType = (ExchangeType)99, MessageId = 7, IsResponse = true };
        m.Payloads.Add(new ConfigurationPayload(ConfigurationType.Request, []));
        m.Payloads.Add(new NotifyPayload((NotifyType)40000));
        m.Payloads.Add(new NotifyPayload(NotifyType.UseAggfrag));
        m.Payloads.Add(new UnknownPayload((PayloadType)200, new byte[] { 1 }));
        m.Payloads.Add(new EncryptedFragmentPayload(PayloadType.None, 2, 3, new byte[] { 1 }, false));
        Assert.Equal("EXCHANGE_TYPE_99 response 7 [ CPRQ N(40000) N(USE_AGGFRAG) (200) EF(2/3) ]", m.ToString());
    }

    private static IkeMessage Decode(byte[] bytes)
    {
        Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(bytes, null, out var m, out _));
        return m!;
    }
}
