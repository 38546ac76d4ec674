using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Petrel.Cli;
using Petrel.Config;

namespace Petrel.Daemon;

/// <summary>
/// "petrel daemon": loads the configuration (errors are one line and exit 1 before anything
/// starts), then runs the daemon under the generic host until SIGTERM or SIGINT.
/// </summary>
public static class DaemonRunner
{
    public const string DefaultConfigPath = "/etc/petrel/swanctl.conf";

    /// <summary>Log lines held for a slow sink before new ones are dropped.</summary>
    public const int LogQueueLength = 10000;

    /// <summary>Creates the production platform; tests and the demo may replace it.</summary>
    public static Func<IDaemonPlatform> PlatformFactory { get; set; } = () => new SystemPlatform();

    /// <summary>
    /// petrel daemon --check: what the daemon reads before it starts (the config, then its certificates, keys and
    /// CRLs), without sockets, devices or privileges. Errors throw <see cref="ConfigException"/> (one line, file:line).
    /// </summary>
    public static int Check(string configPath, TextWriter output)
    {
        var config = SwanctlLoader.Load(configPath);
        CredentialLoader.Load(config);
        output.WriteLine($"{configPath}: {config.Connections.Count} connections, {config.Secrets.Count} secrets, {config.Authorities.Count} authorities load");
        return 0;
    }

    public static int Run(string configPath, string? socketPath)
    {
        // Before any secret is read: no core dump (nor same-user ptrace or /proc/PID/mem) may carry keys (issue 12).
        Petrel.Platform.Privilege.ProcessPrivileges.DisableCoreDumps();
        var config = SwanctlLoader.Load(configPath);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "petrel" });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(config.Daemon.LogLevel);
        builder.Logging.AddConsoleFormatter<PetrelLogFormatter, ConsoleFormatterOptions>();
        builder.Logging.AddConsoleFormatter<JsonLogFormatter, ConsoleFormatterOptions>();
        var feed = new Events.EventHub();
        // The live feed (`petrel log --level debug`) may ask for more than log_level writes to stderr;
        // its logger is enabled only for levels a subscriber wants, so nobody listening costs nothing.
        builder.Logging.AddProvider(new Events.FeedLoggerProvider(feed));
        builder.Logging.AddFilter<Events.FeedLoggerProvider>(null, LogLevel.Trace);
        builder.Logging.AddConsole(o =>
        {
            o.FormatterName = config.Daemon.LogFormat == "json" ? JsonLogFormatter.FormatterName : PetrelLogFormatter.FormatterName;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        // A stalled sink (a pipe nobody reads, a frozen journald) must not stall the engine: lines beyond the
        // queue are dropped and counted (the console logger reports how many), never waited for.
        builder.Services.Configure<ConsoleLoggerOptions>(o =>
        {
            o.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite;
            o.MaxQueueLength = LogQueueLength;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = DaemonService.DeleteWait + TimeSpan.FromSeconds(5));
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSingleton<IHostLifetime, ConsoleLifetime>();
        builder.Services.AddSingleton(PlatformFactory());
        builder.Services.AddSingleton(sp => new PetrelDaemon(config, socketPath, sp.GetRequiredService<IDaemonPlatform>(), sp.GetRequiredService<ILoggerFactory>(), feed));
        builder.Services.AddSingleton(SystemdNotifier.FromProcess());
        builder.Services.AddHostedService<DaemonService>();

        using var host = builder.Build();
        var daemon = host.Services.GetRequiredService<PetrelDaemon>();
        try
        {
            host.Run();
        }
        catch (IOException e)
        {
            throw new CliException(e.Message);
        }
        catch (DaemonStartException e)
        {
            throw new CliException(e.Message);
        }
        return daemon.Failure is null ? 0 : 1;
    }
}
