using System.Threading.Channels;

namespace Banyan.Ledger.Client;

/// <summary>
/// Coalesces single-event calls from many concurrent callers into batches of up to
/// <see cref="MaxBatch"/> events. A fixed number of workers each take whatever is queued (at least
/// one event, at most a full batch), send it as one request, and hand every caller its own result.
/// Under light load a batch is one event and latency is one round trip; under heavy load batches
/// fill up while earlier ones are in flight. The queue is bounded: callers wait for room.
/// </summary>
internal sealed class AutoBatcher<TEvent, TResult> : IAsyncDisposable
{
    public const int MaxBatch = 8190;

    private readonly Channel<(TEvent Event, TaskCompletionSource<TResult> Completion)> _queue;
    private readonly Func<ReadOnlyMemory<TEvent>, CancellationToken, Task<TResult[]>> _send;
    private readonly Task[] _workers;

    public AutoBatcher(int workers, int capacity, Func<ReadOnlyMemory<TEvent>, CancellationToken, Task<TResult[]>> send)
    {
        _send = send;
        _queue = Channel.CreateBounded<(TEvent, TaskCompletionSource<TResult>)>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,
            SingleReader = false,
        });
        _workers = new Task[workers];
        for (var i = 0; i < workers; i++) _workers[i] = Task.Run(WorkAsync);
    }

    /// <summary>Queues one event; completes with its own result once its batch is acknowledged.</summary>
    public async Task<TResult> SubmitAsync(TEvent item, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync((item, completion), cancellationToken);
        return await completion.Task;
    }

    private async Task WorkAsync()
    {
        var events = new TEvent[MaxBatch];
        var waiters = new TaskCompletionSource<TResult>[MaxBatch];
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            var count = 0;
            while (count < MaxBatch && reader.TryRead(out var queued))
            {
                events[count] = queued.Event;
                waiters[count] = queued.Completion;
                count++;
            }
            if (count == 0) continue;
            await SendAsync(events, waiters, count);
            Array.Clear(waiters, 0, count);
        }
    }

    private async Task SendAsync(TEvent[] events, TaskCompletionSource<TResult>[] waiters, int count)
    {
        try
        {
            var results = await _send(events.AsMemory(0, count), CancellationToken.None);
            // Invariant: the host answers one result per event; anything else is a protocol error.
            if (results.Length != count) throw new LedgerClientException($"expected {count} results, got {results.Length}");
            for (var i = 0; i < count; i++) waiters[i].TrySetResult(results[i]);
        }
        catch (Exception e)
        {
            for (var i = 0; i < count; i++) waiters[i].TrySetException(e);
        }
    }

    /// <summary>Stops taking events, sends what is queued, and waits for the workers.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers);
    }
}
