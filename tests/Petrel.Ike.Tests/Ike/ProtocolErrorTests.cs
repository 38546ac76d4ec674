using System.Net;

namespace Petrel.Ike.Tests.Ike;

public class ProtocolErrorTests
{
    [Fact]
    public void Ike_sa_init_with_a_higher_major_version_gets_invalid_major_version()
    {
        var f = ExchangeFixture.Create();
        var init = new byte[28];
        init[0] = 0x11;
        init[17] = 0x30; // version 3.0
        init[18] = 34;
        init[19] = 0x08;
        init[27] = 28;
        f.Network.Inject(new IPEndPoint(ExchangeFixture.LeftAddress, 500), new IPEndPoint(ExchangeFixture.RightAddress, 500), init);
        f.Network.Run();

        var answer = f.Network.Delivered[^1];
        Assert.True(answer.IsResponse);
        Assert.Equal(0x20, answer.Data[17]); // our version, 2.0
        Assert.Equal(41, answer.Data[16]);   // one Notify
        Assert.Equal(5, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(answer.Data.AsSpan(28 + 6))); // INVALID_MAJOR_VERSION
        Assert.Empty(f.Right.Engine.ListSas());
    }

    [Fact]
    public void Authenticated_request_with_invalid_syntax_is_answered_invalid_syntax()
    {
        var f = ExchangeFixture.Create();
        Assert.True(f.Initiate()!.Success);
        var sa = f.Left.Engine.FindSa(f.LeftSa.UniqueId)!;
        var m = new Petrel.Ike.Wire.IkeMessage
        {
            InitiatorSpi = sa.SpiI, ResponderSpi = sa.SpiR, ExchangeType = Petrel.Ike.Wire.ExchangeType.Informational,
            Flags = Petrel.Ike.Wire.IkeHeaderFlags.Initiator, MessageId = sa.NextRequestId,
        };
        // A Notify whose body is one byte: decrypts fine, does not parse.
        m.Payloads.Add(new Petrel.Ike.Wire.UnknownPayload(Petrel.Ike.Wire.PayloadType.Notify, new byte[] { 1 }));
        f.Network.Inject(sa.Local, sa.Remote, m.Encode(sa.CipherOut!));
        f.Network.Run();

        Assert.Contains("invalid syntax", f.Right.Log.All);
        Assert.True(f.Network.Delivered[^1].IsResponse);
        Assert.Equal("ESTABLISHED", f.RightSa.State);
    }
}
