using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Org.BouncyCastle.Math;
using Petrel.Daemon;
using Petrel.Ike.Certificates;
using Petrel.Ike.Eap;
using Petrel.Ike.Radius;
using Petrel.Ike.Wire;
using Petrel.Vici;

namespace Petrel.Fuzz;

/// <summary>
/// Writes the seed corpus (fuzz/corpus/TARGET/*) from what the repository already holds: the IKE and ESP
/// captures and the vectors derived from them (tests/*/vectors), the test configs, and messages built with
/// Petrel's own encoders where no capture exists (vici, control, EAP, RADIUS challenges, certificates).
/// Run by fuzz/seeds.sh; the output is committed, so fuzzing and the replay tests never run tshark.
/// </summary>
internal static class SeedWriter
{
    public static int Write(string repo)
    {
        var corpus = Path.Combine(repo, "fuzz", "corpus");
        var seeds = new Dictionary<string, List<byte[]>>();
        void Add(string target, byte[] data) => (seeds.TryGetValue(target, out var l) ? l : seeds[target] = []).Add(data);

        // IKEv2 frames and SK plaintexts Wireshark decrypted (tests/Petrel.Crypto.Tests/vectors/wireshark).
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo, "tests/Petrel.Crypto.Tests/vectors/wireshark/ikev2_sk_payloads.json"))))
        {
            foreach (var frame in Frames(doc.RootElement))
            {
                if (!frame.TryGetProperty("ike_message", out var m)) continue;
                var ike = Convert.FromHexString(m.GetString()!);
                Add("ike", ike);
                if (seeds["ike"].Count <= 4)
                    Add("esp", [0, 0, 0, 0, 0, .. ike]);
                if (frame.TryGetProperty("plaintext_with_padding", out var p) && p.GetString() is { Length: > 0 } hex
                    && IkeMessage.TryDecode(ike, null, out var outer, out _) == IkeDecodeStatus.Success
                    && outer!.Payloads.OfType<EncryptedPayload>().FirstOrDefault() is { } sk)
                {
                    var plain = Convert.FromHexString(hex);
                    Add("ike-sk", [(byte)sk.FirstInnerPayload, .. plain]);
                    Add("ike-sk", [(byte)(0x80 | (byte)sk.FirstInnerPayload), .. plain]);
                    Add("ike-fragment", Fragments(outer.MessageId, (byte)sk.FirstInnerPayload, plain[..^(plain[^1] + 1)]));
                }
            }
        }
        foreach (var pcap in new[] { "strongswan/rekey.pcap", "strongswan/cmac.pcap", "strongswan/xcbc.pcap" })
            foreach (var datagram in Tshark(Path.Combine(repo, "tests/Petrel.Ike.Tests/vectors", pcap), "isakmp"))
                Add("ike", StripMarker(datagram));
        foreach (var pcap in new[] { "ikev1-certs.pcap", "ikev1-bug-12610.pcapng", "ikev1-bug-12620.pcapng" })
            foreach (var datagram in Tshark(Path.Combine(repo, "tests/Petrel.Ike.Tests/vectors/ikev1", pcap), "isakmp"))
                Add("ikev1", StripMarker(datagram));

        // ESP packets and their decrypted trailers (tests/Petrel.Crypto.Tests/vectors/wireshark/esp_sa_decrypted.json).
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo, "tests/Petrel.Crypto.Tests/vectors/wireshark/esp_sa_decrypted.json"))))
        {
            foreach (var frame in Frames(doc.RootElement))
            {
                if (frame.TryGetProperty("esp_packet", out var e))
                    Add("esp", [0, .. Convert.FromHexString(e.GetString()!)]);
                if (frame.TryGetProperty("plaintext_with_trailer", out var t))
                    Add("esp", [1, .. Convert.FromHexString(t.GetString()!)]);
            }
        }
        Add("esp", [0, 0xff]);
        Add("esp", [2, .. AhPacket()]);

        foreach (var conf in Directory.GetFiles(Path.Combine(repo, "tests/Petrel.Tests/data"), "*.conf"))
            Add("swanctl", File.ReadAllBytes(conf));
        Add("swanctl", Encoding.UTF8.GetBytes(SwanctlSample));

        foreach (var request in new[]
                 {
                     new ControlRequest("list-sas"), new ControlRequest("up", "home", "net"), new ControlRequest("down", "home", Timeout: 5),
                     new ControlRequest("log", Level: "debug", Events: true), new ControlRequest("list-pools", Leases: true),
                 })
            Add("control", Encoding.UTF8.GetBytes(request.ToJson().ToJsonString()));

        Add("vici", ViciPacket.Encode(ViciPacketType.CmdRequest, "load-conn", LoadConn()));
        Add("vici", ViciPacket.Encode(ViciPacketType.CmdRequest, "list-sas", new ViciWriter().Add("noblock", "yes").ToArray()));
        Add("vici", ViciPacket.Encode(ViciPacketType.EventRegister, "ike-updown", []));

        foreach (var line in File.ReadAllLines(Path.Combine(repo, "tests/Petrel.Ike.Tests/vectors/radius/rfc2865-7.1.txt")))
            if (line.StartsWith("accept = ", StringComparison.Ordinal))
                Add("radius", Convert.FromHexString(line["accept = ".Length..].Replace(" ", "")));
        Add("radius", RadiusChallenge());

        Add("eap", Eap(0, EapPacket.Response(1, EapType.Identity, "peer@petrel"u8), EapPacket.Response(2, EapType.Nak, [26]),
            EapPacket.Response(3, EapType.MsChapV2, EapMsChapV2Message.Build(MsChapV2OpCode.Response, 3, MsChapResponse()))));
        Add("eap", Eap(0, EapPacket.Response(1, EapType.Identity, "peer@petrel"u8), EapPacket.Response(2, EapType.Md5Challenge, [16, .. new byte[16]])));
        Add("eap", Eap(1, EapPacket.Request(1, EapType.Identity, []), EapPacket.Request(2, EapType.Md5Challenge, [16, .. Enumerable.Range(0, 16).Select(x => (byte)x)])));
        Add("eap", Eap(1, EapPacket.Request(1, EapType.MsChapV2, EapMsChapV2Message.Build(MsChapV2OpCode.Challenge, 1, [16, .. new byte[16], .. "gw"u8]))));
        Add("eap", Eap(3, EapPacket.Request(1, EapType.Tls, [0x80 | 0x40, 0, 0, 0, 8, 1, 2, 3, 4]), EapPacket.Request(2, EapType.Tls, [0, 5, 6, 7, 8])));

        var key = CertificateBuilder.GenerateKey(KeyKind.Ecdsa, 256);
        var ca = CertificateBuilder.SelfSignedCa(key, "CN=Fuzz CA, O=Petrel", DateTime.UtcNow.AddDays(-1), DateTime.UtcNow.AddYears(10));
        var leaf = CertificateBuilder.Issue(CertificateBuilder.GenerateKey(KeyKind.Ed25519).PublicKey, "CN=gw.petrel, O=Petrel",
            ["gw.petrel", "192.0.2.1", "admin@petrel"], ca, key, DateTime.UtcNow.AddDays(-1), DateTime.UtcNow.AddYears(10),
            crlUris: ["http://crl.petrel/ca.crl"]);
        Add("cert", [0, .. ca.GetEncoded()]);
        Add("cert", [0, .. leaf.GetEncoded()]);
        Add("cert", [0, .. Encoding.ASCII.GetBytes(CertificateBuilder.CertificatePem(leaf))]);
        var crl = CertificateBuilder.Crl(ca, key, [(BigInteger.ValueOf(7), DateTime.UtcNow, 1)], DateTime.UtcNow, DateTime.UtcNow.AddDays(7));
        Add("cert", [1, .. crl.GetEncoded()]);

        int total = 0;
        foreach (var (target, list) in seeds.OrderBy(s => s.Key))
        {
            var dir = Path.Combine(corpus, target);
            Directory.CreateDirectory(dir);
            foreach (var data in list.DistinctBy(Convert.ToHexString).Take(40))
            {
                File.WriteAllBytes(Path.Combine(dir, "seed-" + Convert.ToHexString(SHA256.HashData(data))[..16].ToLowerInvariant()), data);
                total++;
            }
            Console.WriteLine($"{target}: {Directory.GetFiles(dir).Length} files");
        }
        return total > 0 ? 0 : 1;
    }

    private static IEnumerable<JsonElement> Frames(JsonElement root)
    {
        // Both vector files keep their per-capture frames in arrays of objects somewhere below the root.
        var stack = new Stack<JsonElement>([root]);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            if (e.ValueKind == JsonValueKind.Object)
            {
                yield return e;
                foreach (var p in e.EnumerateObject()) stack.Push(p.Value);
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in e.EnumerateArray()) stack.Push(item);
            }
        }
    }

    private static byte[] StripMarker(byte[] d) => d.Length > 4 && BinaryPrimitives.ReadUInt32BigEndian(d) == 0 ? d[4..] : d;

    private static IEnumerable<byte[]> Tshark(string pcap, string filter)
    {
        var psi = new ProcessStartInfo("tshark", ["-r", pcap, "-Y", filter, "-T", "fields", "-e", "udp.payload"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var lines = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        p.WaitForExit();
        return lines.Select(l => Convert.FromHexString(l.Replace(":", "")));
    }

    /// <summary>Records for <see cref="Targets.IkeFragmentTarget"/>: the inner payloads cut into three fragments.</summary>
    private static byte[] Fragments(uint messageId, byte first, byte[] inner)
    {
        var output = new List<byte>();
        int size = Math.Max(1, Math.Min(255, (inner.Length + 2) / 3));
        int count = Math.Min(255, (inner.Length + size - 1) / size);
        for (int i = 0; i < count; i++)
        {
            var part = inner.Skip(i * size).Take(size).ToArray();
            output.AddRange([(byte)messageId, (byte)(i + 1), (byte)count, first, (byte)part.Length]);
            output.AddRange(part);
        }
        return [.. output];
    }

    private static byte[] AhPacket()
    {
        // IPv4 (protocol 51) + AH (next header 4, 96-bit... here 128-bit ICV for HMAC-SHA-256-128) + an inner IPv4 header.
        var ah = new byte[20 + 12 + 16 + 20];
        ah[0] = 0x45; BinaryPrimitives.WriteUInt16BigEndian(ah.AsSpan(2), (ushort)ah.Length); ah[8] = 64; ah[9] = 51;
        new byte[] { 198, 18, 0, 1, 198, 18, 0, 2 }.CopyTo(ah, 12);
        ah[20] = 4; ah[21] = (12 + 16) / 4 - 2;
        BinaryPrimitives.WriteUInt32BigEndian(ah.AsSpan(24), 0xb0b0a001);
        BinaryPrimitives.WriteUInt32BigEndian(ah.AsSpan(28), 1);
        ah[48] = 0x45; BinaryPrimitives.WriteUInt16BigEndian(ah.AsSpan(50), 20); ah[56] = 64; ah[57] = 1;
        new byte[] { 10, 1, 0, 5, 10, 2, 0, 9 }.CopyTo(ah, 60);
        return ah;
    }

    private static byte[] LoadConn() => new ViciWriter()
        .BeginSection("home")
            .List("local_addrs", ["192.0.2.1"]).List("remote_addrs", ["192.0.2.2"]).Add("version", "2").List("proposals", ["aes128gcm16-prfsha256-x25519"])
            .BeginSection("local").Add("auth", "psk").Add("id", "gw@petrel").EndSection()
            .BeginSection("remote").Add("auth", "psk").Add("id", "peer@petrel").EndSection()
            .BeginSection("children").BeginSection("net").List("local_ts", ["10.1.0.0/24"]).List("remote_ts", ["10.2.0.0/24"]).EndSection().EndSection()
        .EndSection().ToArray();

    private static byte[] RadiusChallenge()
    {
        byte[] secret = "fuzz-secret"u8.ToArray(), requestAuthenticator = Enumerable.Range(1, 16).Select(x => (byte)x).ToArray();
        var packet = new RadiusPacket(RadiusCode.AccessChallenge, 7, requestAuthenticator);
        packet.AddEapMessage(EapPacket.Request(2, EapType.Md5Challenge, [16, .. new byte[16]]).Bytes);
        foreach (byte type in new byte[] { 16, 17 })
        {
            var mppe = MppeKey.Encrypt(new byte[32], secret, requestAuthenticator, (ushort)(0x8000 | type));
            packet.Add(new RadiusAttribute(26, [0, 0, 1, 55, type, (byte)(mppe.Length + 2), .. mppe]));
        }
        var bytes = packet.Encode();
        // RFC 2865 §3: Response Authenticator = MD5(Code | Identifier | Length | Request Authenticator | Attributes | Secret).
        var input = bytes.ToArray();
        requestAuthenticator.CopyTo(input, 4);
        MD5.HashData([.. input, .. secret]).CopyTo(bytes, 4);
        return bytes;
    }

    private static byte[] MsChapResponse() => [49, .. new byte[16], .. new byte[8], .. new byte[24], 0, .. "peer@petrel"u8];

    private static byte[] Eap(byte mode, params EapPacket[] packets)
    {
        var output = new List<byte> { mode };
        foreach (var p in packets)
        {
            output.AddRange([(byte)(p.Bytes.Length >> 8), (byte)p.Bytes.Length]);
            output.AddRange(p.Bytes);
        }
        return [.. output];
    }

    private const string SwanctlSample = """
        petrel {
            socket = /run/petrel.sock
            block_threshold = 5
        }
        connections {
            rw {
                local_addrs = 192.0.2.1
                pools = p4
                local { auth = pubkey  certs = gw.pem  id = gw.petrel }
                remote { auth = eap-mschapv2  eap_id = %any }
                children { net { local_ts = 0.0.0.0/0  esp_proposals = aes256gcm16-x25519-ke1_mlkem768 } }
                proposals = aes256-sha256-x25519-ke1_mlkem768
            }
        }
        pools { p4 { addrs = 10.3.0.0/28  dns = 10.3.0.53 } }
        secrets { eap-carol { id = carol  secret = "x y z" } ike-1 { id-a = 192.0.2.2  secret = 0sdGVzdA== } }
        authorities { ca { cacert = ca.pem  crl_uris = http://crl.petrel/ca.crl } }
        """;
}
