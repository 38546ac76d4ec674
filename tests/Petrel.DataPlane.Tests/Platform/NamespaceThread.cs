using System.Collections.Concurrent;
using Petrel.Platform.Netns;

namespace Petrel.DataPlane.Tests.Platform;

/// <summary>
/// A dedicated thread living in one network namespace that runs the work given to it, so
/// sockets, TUN devices, routes and child processes are created there.
/// </summary>
internal sealed class NamespaceThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    public NamespaceThread(string netns)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() =>
        {
            try
            {
                NetworkNamespace.EnterOnCurrentThread(netns);
                ready.SetResult();
            }
            catch (Exception e)
            {
                ready.SetException(e);
                return;
            }
            foreach (var work in _work.GetConsumingEnumerable())
                work();
        }) { IsBackground = true, Name = $"netns {netns}" };
        _thread.Start();
        ready.Task.GetAwaiter().GetResult();
    }

    public T Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try { done.SetResult(work()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task.GetAwaiter().GetResult();
    }

    public void Run(Action work) => Run(() => { work(); return 0; });

    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
