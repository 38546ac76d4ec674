using Petrel.Ike.Wire;

namespace Petrel.Fuzz.Targets;

/// <summary>
/// IKE fragments (RFC 7383) after decryption: the input is a sequence of records
/// [message id, fragment number, total, first inner payload type, length, content…] fed to one reassembler,
/// as the engine does with SKF payloads that passed their ICV; a completed message's inner payloads are decoded.
/// </summary>
public sealed class IkeFragmentTarget : IFuzzTarget
{
    public string Name => "ike-fragment";

    public void Run(ReadOnlySpan<byte> data)
    {
        var reassembler = new IkeFragmentReassembler(maxFragments: 16, maxBytes: 8 * 1024);
        while (data.Length >= 5)
        {
            byte messageId = data[0], number = data[1], total = data[2], first = data[3];
            int length = Math.Min(data[4], data.Length - 5);
            var content = data.Slice(5, length).ToArray();
            data = data[(5 + length)..];
            if (number == 0 || number > total)
                continue; // the decoder drops these before the reassembler sees them
            var message = new IkeMessage { InitiatorSpi = 1, ResponderSpi = 2, ExchangeType = ExchangeType.IkeAuth, MessageId = messageId };
            message.Payloads.Add(new EncryptedFragmentPayload((PayloadType)first, number, total, content, true));
            if (reassembler.Add(message, out var complete, out _) == FragmentAddResult.Complete && complete is not null)
                PayloadWalk.Visit(complete);
        }
    }
}
