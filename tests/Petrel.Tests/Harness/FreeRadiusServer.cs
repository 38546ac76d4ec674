using System.Net;
using System.Net.Sockets;

namespace Petrel.Tests.Harness;

/// <summary>What a <see cref="FreeRadiusServer"/> serves beyond EAP-MD5 with the users' passwords.</summary>
public sealed record FreeRadiusOptions
{
    /// <summary>Starts the server's command line (e.g. inside a namespace); null: directly.</summary>
    public Func<IReadOnlyList<string>, string, StartedProcess>? Starter { get; init; }

    /// <summary>EAP-TLS: the server's certificate and key, and the CA that issued the clients' (PEM files); null: no EAP-TLS.</summary>
    public (string Certificate, string Key, string Ca)? Tls { get; init; }

    /// <summary>Reply attributes per user, as FreeRADIUS's users file writes them (e.g. "Framed-IP-Address = 10.9.0.7").</summary>
    public IReadOnlyDictionary<string, string> Replies { get; init; } = new Dictionary<string, string>();

    /// <summary>The EAP method offered first (md5, mschapv2, tls); the client may Nak to another.</summary>
    public string DefaultEapType { get; init; } = "md5";
}

/// <summary>
/// FreeRADIUS 3 (Debian's freeradius) on loopback with a configuration directory of its own: EAP-MD5,
/// EAP-MSCHAPv2 and PAP (User-Password, for XAuth) for the users given (EAP-TLS with <see cref="FreeRadiusOptions.Tls"/>), the RFC 2866 accounting
/// records written to a detail file. Started in the foreground with -X (debug log in the work directory) and
/// stopped by its PID.
/// </summary>
public sealed class FreeRadiusServer : IDisposable
{
    public const string Executable = "freeradius";

    private readonly StartedProcess _process;

    public string Dir { get; }
    public int AuthPort { get; }
    public int AcctPort => AuthPort + 1;
    public string Secret { get; }
    public string DetailPath => Path.Combine(Dir, "acct", "detail");
    public string LogPath => Path.Combine(Dir, "radiusd.out");

    private FreeRadiusServer(string dir, int port, string secret, StartedProcess process)
    {
        Dir = dir;
        AuthPort = port;
        Secret = secret;
        _process = process;
    }

    public static FreeRadiusServer Start(string dir, string secret, IReadOnlyDictionary<string, string> users, FreeRadiusOptions? options = null)
    {
        options ??= new FreeRadiusOptions();
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        foreach (var d in new[] { "acct", "run", "log" })
            Directory.CreateDirectory(Path.Combine(dir, d));
        int port = LoopbackPorts.NextPair();
        File.WriteAllText(Path.Combine(dir, "dictionary"), "$INCLUDE /usr/share/freeradius/dictionary\n");
        File.WriteAllText(Path.Combine(dir, "users"), string.Concat(users.Select(u =>
            $"\"{u.Key}\"\tCleartext-Password := \"{u.Value}\"\n{(options.Replies.TryGetValue(u.Key, out var reply) ? $"\t{reply}\n" : "")}")));
        string tls = options.Tls is { } t ? $$"""
                tls-config tls-common {
                  private_key_file = {{t.Key}}
                  certificate_file = {{t.Certificate}}
                  ca_file = {{t.Ca}}
                  cipher_list = "DEFAULT"
                  tls_min_version = "1.2"
                  tls_max_version = "1.2"
                  ecdh_curve = "prime256v1"
                }
                tls {
                  tls = tls-common
                }
            """ : "";
        File.WriteAllText(Path.Combine(dir, "radiusd.conf"), $$"""
            prefix = /usr
            exec_prefix = /usr
            sysconfdir = /etc
            localstatedir = /var
            sbindir = /usr/sbin
            raddbdir = {{dir}}
            confdir = {{dir}}
            modconfdir = {{dir}}
            logdir = {{dir}}/log
            run_dir = {{dir}}/run
            db_dir = {{dir}}
            radacctdir = {{dir}}/acct
            libdir = /usr/lib/freeradius
            pidfile = {{dir}}/run/radiusd.pid
            name = freeradius
            max_request_time = 30
            cleanup_delay = 2
            max_requests = 1024
            hostname_lookups = no
            log {
              destination = files
              file = {{dir}}/log/radius.log
              auth = yes
            }
            security {
              allow_core_dumps = no
              max_attributes = 200
              reject_delay = 0
              status_server = no
            }
            client petrel {
              ipaddr = 127.0.0.1
              secret = {{secret}}
              require_message_authenticator = yes
            }
            thread pool {
              start_servers = 1
              max_servers = 2
              min_spare_servers = 1
              max_spare_servers = 2
            }
            modules {
              files {
                filename = {{dir}}/users
              }
              pap {
              }
              mschap {
                use_mppe = yes
                require_encryption = yes
                require_strong = yes
              }
              eap {
                default_eap_type = {{options.DefaultEapType}}
                timer_expire = 60
                ignore_unknown_eap_types = no
                md5 {
                }
                mschapv2 {
                }
            {{tls}}
              }
              detail {
                filename = {{dir}}/acct/detail
                permissions = 0600
                header = "%t"
              }
            }
            server default {
              listen {
                type = auth
                ipaddr = 127.0.0.1
                port = {{port}}
              }
              listen {
                type = acct
                ipaddr = 127.0.0.1
                port = {{port + 1}}
              }
              authorize {
                eap {
                  ok = return
                }
                files
                pap
              }
              authenticate {
                Auth-Type EAP {
                  eap
                }
                Auth-Type PAP {
                  pap
                }
                Auth-Type MS-CHAP {
                  mschap
                }
              }
              preacct {
              }
              accounting {
                detail
              }
              post-auth {
              }
            }
            """);
        string[] argv = [Executable, "-X", "-d", dir];
        string log = Path.Combine(dir, "radiusd.out");
        var process = options.Starter is { } starter ? starter(argv, log) : StartedProcess.Start(argv, log);
        var server = new FreeRadiusServer(dir, port, secret, process);
        try
        {
            server.WaitUntilReady();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public string Log() => _process.ReadLog();

    public string Detail() => File.Exists(DetailPath) ? File.ReadAllText(DetailPath) : "";

    private void WaitUntilReady()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"freeradius exited during startup:\n{_process.ReadLog()}");
            if (_process.ReadLog().Contains("Ready to process requests", StringComparison.Ordinal))
                return;
            Thread.Sleep(100);
        }
        throw new TimeoutException($"freeradius did not get ready:\n{_process.ReadLog()}");
    }

    public void Dispose() => _process.Dispose();
}
