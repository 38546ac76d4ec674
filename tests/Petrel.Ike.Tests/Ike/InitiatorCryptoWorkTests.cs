using System.Net;
using Petrel.Ike.Certificates;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// The initiator's expensive crypto runs as <see cref="CryptoJob"/>s too: the IKE_SA_INIT key pair and shared secret with
/// SKEYSEED, the IKE_AUTH signature and the check of the responder's chain and signature, and the key pair and secret of
/// CREATE_CHILD_SA (PFS CHILD_SA rekey, IKE SA rekey). Requests wait for their job, responses are parked until theirs
/// applied (no retransmit meanwhile), and a job whose SA ended meanwhile is discarded without a word on the wire.
/// </summary>
public class InitiatorCryptoWorkTests
{
    private const byte IkeSaInit = 34, IkeAuth = 35;

    /// <summary>Runs each job at once, as the synchronous executor does, and remembers what it ran.</summary>
    private sealed class RecordingExecutor : ICryptoExecutor
    {
        public List<string> Operations { get; } = [];

        public bool TryRun(CryptoJob job, Action<CryptoJob> done)
        {
            Operations.Add(job.Operation);
            job.Execute();
            done(job);
            return true;
        }
    }

    /// <summary>Holds jobs until the test runs them.</summary>
    private sealed class ManualExecutor : ICryptoExecutor
    {
        private readonly Queue<(CryptoJob Job, Action<CryptoJob> Done)> _held = new();
        public List<string> Held => [.. _held.Select(h => h.Job.Operation)];

        public bool TryRun(CryptoJob job, Action<CryptoJob> done)
        {
            _held.Enqueue((job, done));
            return true;
        }

        /// <summary>Runs the jobs held now (not those they lead to).</summary>
        public void RunHeld()
        {
            int n = _held.Count;
            for (int i = 0; i < n && _held.TryDequeue(out var x); i++)
            {
                x.Job.Execute();
                x.Done(x.Job);
            }
        }
    }

    private static int Sent(ExchangeFixture f, IPAddress from, byte exchange, bool response) =>
        f.Network.Delivered.Count(d => d.ExchangeType == exchange && d.IsResponse == response && d.Source.Address.Equals(from));

    [Fact]
    public void A_psk_initiator_hands_its_key_pair_and_key_exchange_to_the_workers()
    {
        var f = ExchangeFixture.Create(ike: "aes128-sha256-ecp256");
        var executor = new RecordingExecutor();
        f.Left.Engine.CryptoExecutor = executor;

        var r = f.Initiate();

        Assert.True(r is { Success: true }, r?.Message);
        Assert.Equal(["IKE_SA_INIT key pair (initiator)", "IKE_SA_INIT key exchange (initiator)"], executor.Operations);
        Assert.Equal("ESTABLISHED", f.LeftSa.State);
        Assert.Equal("ESTABLISHED", f.RightSa.State);
    }

    [Fact]
    public void Each_request_waits_for_its_job_and_a_parked_response_is_not_retransmitted()
    {
        var f = ExchangeFixture.Create(ike: "aes128-sha256-ecp256");
        var executor = new ManualExecutor();
        f.Left.Engine.CryptoExecutor = executor;
        InitiateResult? result = null;
        f.Left.Engine.Initiate("site", null, x => result = x);
        f.Network.Run();

        // No key pair yet: nothing is on the wire.
        Assert.Equal(["IKE_SA_INIT key pair (initiator)"], executor.Held);
        Assert.Equal(0, Sent(f, ExchangeFixture.LeftAddress, IkeSaInit, response: false));

        executor.RunHeld();
        f.Network.Run();
        Assert.Equal(1, Sent(f, ExchangeFixture.LeftAddress, IkeSaInit, response: false));
        Assert.Equal(["IKE_SA_INIT key exchange (initiator)"], executor.Held);

        // The response is parked while the shared secret is computed: far past the 4 s retransmit timeout, the request
        // is not sent again and IKE_AUTH does not start.
        f.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, Sent(f, ExchangeFixture.LeftAddress, IkeSaInit, response: false));
        Assert.Equal(0, Sent(f, ExchangeFixture.LeftAddress, IkeAuth, response: false));
        Assert.Null(result);

        executor.RunHeld();
        f.Network.Run();
        Assert.True(result is { Success: true }, result?.Message + "\n" + f.Left.Log.All);
        Assert.Equal(1, Sent(f, ExchangeFixture.LeftAddress, IkeAuth, response: false));
        Assert.Empty(executor.Held);
    }

    [Fact]
    public void A_key_exchange_result_for_an_sa_deleted_meanwhile_is_discarded()
    {
        var f = ExchangeFixture.Create(ike: "aes128-sha256-ecp256");
        var executor = new ManualExecutor();
        f.Left.Engine.CryptoExecutor = executor;
        var results = new List<InitiateResult>();
        f.Left.Engine.Initiate("site", null, results.Add);
        f.Network.Run();
        executor.RunHeld();
        f.Network.Run();
        Assert.Equal(["IKE_SA_INIT key exchange (initiator)"], executor.Held);

        InitiateResult? terminated = null;
        f.Left.Engine.Terminate("site", null, x => terminated = x);
        f.Network.Run();
        Assert.Empty(f.Left.Engine.ListSas());
        var failed = Assert.Single(results);
        Assert.False(failed.Success);

        int before = f.Network.Delivered.Count;
        executor.RunHeld();
        f.Network.Run();
        Assert.Equal(before, f.Network.Delivered.Count);
        Assert.Empty(executor.Held);
        Assert.Single(results);
        Assert.DoesNotContain(f.Left.Log.Lines, l => l.Contains("failed: ") && l.Contains("crypto"));
        Assert.Empty(f.Left.Engine.ListSas());

        // The connection works again from scratch.
        f.Left.Engine.CryptoExecutor = SynchronousCryptoExecutor.Instance;
        Assert.True(f.Initiate() is { Success: true });
    }

    [Fact]
    public void The_peer_is_answered_while_our_response_waits_for_its_job()
    {
        var f = RekeyFixture.Create(new RekeyFixture.Lifetimes { Esp = "aes128gcm16-ecp256" }, ike: "aes128-sha256-ecp256");
        RekeyFixture.Up(f);
        var executor = new ManualExecutor();
        f.Left.Engine.CryptoExecutor = executor;
        var childId = RekeyFixture.ChildId(f.Left);

        // Left rekeys the CHILD_SA (PFS): key pair first, then the request, then the secret of the answer.
        f.Left.Engine.RekeyChild(childId);
        f.Network.Run();
        Assert.Equal(["CREATE_CHILD_SA key pair"], executor.Held);
        executor.RunHeld();
        f.Network.Run();
        Assert.Equal(["CREATE_CHILD_SA shared secret"], executor.Held);

        // Meanwhile right asks something (DPD, an empty INFORMATIONAL): left answers at once.
        int answers = Sent(f, ExchangeFixture.LeftAddress, 37, response: true);
        Assert.True(f.Right.Engine.SendLivenessCheck(RekeyFixture.IkeId(f.Right)));
        f.Network.Run();
        Assert.Equal(answers + 1, Sent(f, ExchangeFixture.LeftAddress, 37, response: true));

        executor.RunHeld();
        f.Network.Run();
        f.Advance(TimeSpan.FromSeconds(5));
        RekeyFixture.AssertOnePair(f);
        Assert.NotEqual(childId, RekeyFixture.ChildId(f.Left));
    }

    [Fact]
    public void Pfs_child_rekeys_and_ike_rekeys_run_their_key_exchange_on_the_workers()
    {
        var f = RekeyFixture.Create(
            new RekeyFixture.Lifetimes { ChildRekey = TimeSpan.FromMinutes(10), IkeRekey = TimeSpan.FromMinutes(20), Esp = "aes128gcm16-ecp256" },
            new RekeyFixture.Lifetimes { ChildRekey = TimeSpan.FromHours(2), IkeRekey = TimeSpan.FromHours(4), Esp = "aes128gcm16-ecp256" },
            ike: "aes128-sha256-ecp256");
        RekeyFixture.Up(f);
        var executor = new RecordingExecutor();
        f.Left.Engine.CryptoExecutor = executor;

        f.Advance(TimeSpan.FromMinutes(25), TimeSpan.FromSeconds(30));

        Assert.Contains("CREATE_CHILD_SA key pair", executor.Operations);
        Assert.Contains("CREATE_CHILD_SA shared secret", executor.Operations);
        Assert.Contains("IKE_SA rekey key pair", executor.Operations);
        Assert.Contains("IKE_SA rekey shared secret", executor.Operations);
        RekeyFixture.AssertOnePair(f);
    }

    [Fact]
    public void A_certificate_initiator_signs_and_checks_the_responder_on_the_workers()
    {
        var pki = EnginePki.Shared;
        IPAddress l = ExchangeFixture.LeftAddress, r = ExchangeFixture.RightAddress;
        var leftKey = pki.Key(KeyKind.Ecdsa, 256, 1);
        var rightKey = pki.Key(KeyKind.Ecdsa, 256, 2);
        var leftCert = pki.Issue(leftKey, "C=CH, O=Petrel Test, CN=left.petrel.test", ["left.petrel.test"], viaIntermediate: true);
        var rightCert = pki.Issue(rightKey, "C=CH, O=Petrel Test, CN=right.petrel.test", ["right.petrel.test", r.ToString()]);
        var f = new ExchangeFixture();
        f.Left.Engine.Load([EnginePki.Connection("site", l, r, localTs: ["10.1.0.0/24"], remoteTs: ["10.2.0.0/24"])], [],
            pki.Store(leftCert, leftKey, [pki.Root, pki.Intermediate], []));
        f.Right.Engine.Load([EnginePki.Connection("site", r, l, localTs: ["10.2.0.0/24"], remoteTs: ["10.1.0.0/24"])], [],
            pki.Store(rightCert, rightKey, [pki.Root], []));
        var executor = new RecordingExecutor();
        f.Left.Engine.CryptoExecutor = executor;

        var result = f.Initiate();

        Assert.True(result is { Success: true }, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal(
            ["IKE_SA_INIT key pair (initiator)", "IKE_SA_INIT key exchange (initiator)", "IKE_AUTH signature (initiator)",
             "IKE_AUTH certificate chain and signature check (initiator)"],
            executor.Operations);
    }

    [Fact]
    public void A_bad_responder_signature_found_on_a_worker_fails_the_sa_as_before()
    {
        var pki = EnginePki.Shared;
        IPAddress l = ExchangeFixture.LeftAddress, r = ExchangeFixture.RightAddress;
        var leftKey = pki.Key(KeyKind.Ecdsa, 256, 1);
        var rightKey = pki.Key(KeyKind.Ecdsa, 256, 2);
        var leftCert = pki.Issue(leftKey, "C=CH, O=Petrel Test, CN=left.petrel.test", ["left.petrel.test"]);
        var rightCert = pki.Issue(rightKey, "C=CH, O=Petrel Test, CN=right.petrel.test", ["right.petrel.test", r.ToString()]);
        var f = new ExchangeFixture();
        f.Left.Engine.Load([EnginePki.Connection("site", l, r, localTs: ["10.1.0.0/24"], remoteTs: ["10.2.0.0/24"])], [],
            pki.Store(leftCert, leftKey, [pki.Root], []));
        f.Right.Engine.Load([EnginePki.Connection("site", r, l, localTs: ["10.2.0.0/24"], remoteTs: ["10.1.0.0/24"])], [],
            pki.Store(rightCert, rightKey, [pki.Root], []));
        // One bit of right's AUTH signature flipped, the response re-protected: only the signature check can notice.
        f.Network.Intercept(d => d.ExchangeType == IkeAuth && d.IsResponse, d =>
        {
            var sa = f.Right.Engine.FindSa(f.Right.Engine.ListSas()[0].UniqueId)!;
            Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(d.Data, sa.CipherOut, out var m, out _));
            int i = m!.Payloads.FindIndex(p => p is AuthenticationPayload);
            var auth = (AuthenticationPayload)m.Payloads[i];
            var data = auth.Data.ToArray();
            data[^5] ^= 0x01;
            m.Payloads[i] = new AuthenticationPayload(auth.Method, data);
            var outer = new IkeMessage { InitiatorSpi = m.InitiatorSpi, ResponderSpi = m.ResponderSpi, ExchangeType = m.ExchangeType, Flags = m.Flags, MessageId = m.MessageId };
            outer.Payloads.AddRange(m.Payloads);
            d.Data = outer.Encode(sa.CipherOut!);
            return true;
        });
        var executor = new ManualExecutor();
        f.Left.Engine.CryptoExecutor = executor;
        InitiateResult? result = null;
        f.Left.Engine.Initiate("site", null, x => result = x);
        var checks = new List<string>();
        for (int i = 0; i < 10 && result is null; i++)
        {
            f.Network.Run();
            checks.AddRange(executor.Held);
            executor.RunHeld();
        }

        Assert.Contains("IKE_AUTH certificate chain and signature check (initiator)", checks);
        Assert.True(result is { Success: false }, result?.Message);
        Assert.Contains("AUTH of 'C=CH, O=Petrel Test, CN=right.petrel.test' does not verify", result!.Message);
        Assert.Empty(f.Left.Engine.ListSas());
    }
}
