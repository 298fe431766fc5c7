namespace Banyan.Ledger.Streaming;

/// <summary>
/// Wakes journal subscribers when the durable sequence advances. The flusher only swaps a task
/// (continuations run asynchronously), so no subscriber can ever slow or block a group commit; the
/// data itself is read back from the journal files by each subscriber.
/// </summary>
internal sealed class DurableSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Pulse"/>. Take it BEFORE checking the durable sequence, so no pulse is missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse()
    {
        var old = Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        old.TrySetResult();
    }
}
