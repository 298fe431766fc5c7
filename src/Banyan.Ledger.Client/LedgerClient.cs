using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Banyan.Ledger.Client;

/// <summary>
/// A client for a remote Banyan ledger over the binary bulk path (<c>/v1/ledger/*/bulk</c>,
/// see docs/ledger-api.md). Thread-safe; create one per process and share it. Array calls send one
/// request each (at most 8,190 events, applied as one batch); <see cref="CreateTransferAsync"/>
/// batches concurrent single calls automatically.
/// </summary>
public sealed class LedgerClient : IAsyncDisposable
{
    /// <summary>The largest number of events (or ids) in one request.</summary>
    public const int MaxBatchEvents = 8190;

    private const string AccountsMediaType = "application/vnd.banyan.ledger.accounts.v1";
    private const string TransfersMediaType = "application/vnd.banyan.ledger.transfers.v1";
    private const string IdsMediaType = "application/vnd.banyan.ledger.ids.v1";

    private readonly HttpClient _http;
    private readonly TokenProvider _tokens;
    private readonly AutoBatcher<Transfer, CreateTransferResult> _transferBatcher;
    private readonly AutoBatcher<Account, CreateAccountResult> _accountBatcher;

    /// <summary>Creates a client for the host at <paramref name="baseAddress"/> using client credentials.</summary>
    public LedgerClient(Uri baseAddress, string clientId, string clientSecret)
        : this(new LedgerClientOptions { BaseAddress = baseAddress, ClientId = clientId, ClientSecret = clientSecret })
    {
    }

    /// <summary>Creates a client from <paramref name="options"/>.</summary>
    /// <param name="options">Where the host is, the credentials, and the batching limits.</param>
    /// <param name="time">Clock for token expiry; the system clock when null.</param>
    public LedgerClient(LedgerClientOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentRequests, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxConcurrentRequests, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxQueuedEvents, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxQueuedEvents, 1 << 20);
        var baseAddress = options.BaseAddress.AbsoluteUri.EndsWith('/') ? options.BaseAddress : new Uri(options.BaseAddress.AbsoluteUri + "/");
        options = options with { BaseAddress = baseAddress };
        var handler = new SocketsHttpHandler
        {
            // Two batchers plus token and lookup calls share the pool; a connection per in-flight request.
            MaxConnectionsPerServer = options.MaxConcurrentRequests * 2 + 2,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = options.RequestTimeout };
        _tokens = new TokenProvider(_http, options, time ?? TimeProvider.System);
        _transferBatcher = new(options.MaxConcurrentRequests, options.MaxQueuedEvents, (events, ct) => CreateTransfersAsync(events, ct));
        _accountBatcher = new(Math.Min(2, options.MaxConcurrentRequests), options.MaxQueuedEvents, (events, ct) => CreateAccountsAsync(events, ct));
    }

    /// <summary>Creates accounts as one batch; one result per event, in order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than <see cref="MaxBatchEvents"/> accounts.</exception>
    /// <exception cref="LedgerClientException">The host refused the request or could not be reached.</exception>
    public Task<CreateAccountResult[]> CreateAccountsAsync(ReadOnlyMemory<Account> accounts, CancellationToken cancellationToken = default) =>
        PostAsync<Account, CreateAccountResult>("v1/ledger/accounts/bulk", AccountsMediaType, accounts, cancellationToken);

    /// <summary>Creates transfers as one batch; one result per event, in order. Linked chains must end inside the batch.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than <see cref="MaxBatchEvents"/> transfers.</exception>
    /// <exception cref="LedgerClientException">The host refused the request or could not be reached.</exception>
    public Task<CreateTransferResult[]> CreateTransfersAsync(ReadOnlyMemory<Transfer> transfers, CancellationToken cancellationToken = default) =>
        PostAsync<Transfer, CreateTransferResult>("v1/ledger/transfers/bulk", TransfersMediaType, transfers, cancellationToken);

    /// <summary>The accounts found among <paramref name="ids"/>, in request order; absent ids are skipped.</summary>
    public Task<Account[]> LookupAccountsAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default) =>
        PostAsync<UInt128, Account>("v1/ledger/accounts/lookup/bulk", IdsMediaType, ids, cancellationToken);

    /// <summary>The transfers found among <paramref name="ids"/>, in request order; absent ids are skipped.</summary>
    public Task<Transfer[]> LookupTransfersAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default) =>
        PostAsync<UInt128, Transfer>("v1/ledger/transfers/lookup/bulk", IdsMediaType, ids, cancellationToken);

    /// <summary>
    /// Creates one transfer, batched with other concurrent callers' transfers into bulk requests.
    /// Each event in such a batch succeeds or fails on its own, so <see cref="TransferFlags.Linked"/>
    /// is refused here (use <see cref="CreateTransfersAsync"/> for chains).
    /// </summary>
    /// <param name="transfer">The transfer to create.</param>
    /// <param name="cancellationToken">Stops waiting for room in the queue; once queued the transfer is sent.</param>
    /// <returns>This transfer's own result code.</returns>
    public Task<CreateTransferResult> CreateTransferAsync(Transfer transfer, CancellationToken cancellationToken = default)
    {
        if ((transfer.Flags & TransferFlags.Linked) != 0) throw new ArgumentException("A linked transfer needs its chain in the same request; use CreateTransfersAsync.", nameof(transfer));
        return _transferBatcher.SubmitAsync(transfer, cancellationToken);
    }

    /// <summary>Creates one account, batched with other concurrent callers' accounts. <see cref="AccountFlags.Linked"/> is refused.</summary>
    public Task<CreateAccountResult> CreateAccountAsync(Account account, CancellationToken cancellationToken = default)
    {
        if ((account.Flags & AccountFlags.Linked) != 0) throw new ArgumentException("A linked account needs its chain in the same request; use CreateAccountsAsync.", nameof(account));
        return _accountBatcher.SubmitAsync(account, cancellationToken);
    }

    private async Task<TOut[]> PostAsync<TIn, TOut>(string path, string mediaType, ReadOnlyMemory<TIn> items, CancellationToken cancellationToken)
        where TIn : unmanaged
        where TOut : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(items.Length, MaxBatchEvents, nameof(items));
        if (items.IsEmpty) return [];
        var length = items.Length * Unsafe.SizeOf<TIn>();
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            MemoryMarshal.AsBytes(items.Span).CopyTo(buffer);
            var body = await SendAsync(path, mediaType, buffer.AsMemory(0, length), cancellationToken);
            if (body.Length % Unsafe.SizeOf<TOut>() != 0) throw new LedgerClientException($"response length {body.Length} is not a whole number of records");
            return MemoryMarshal.Cast<byte, TOut>(body).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends one request; on a 401 refreshes the token and retries once (a 401 means nothing was applied).</summary>
    private async Task<byte[]> SendAsync(string path, string mediaType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await _tokens.GetAsync(cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new ReadOnlyMemoryContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new LedgerClientException("the ledger host could not be reached: " + e.Message, inner: e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                // HttpClient's own timeout, not the caller's token: the outcome is unknown, like a lost connection.
                throw new LedgerClientException("the ledger request timed out; whether it was applied is unknown", inner: e);
            }
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
                {
                    _tokens.Invalidate(token);
                    continue;
                }
                if (response.IsSuccessStatusCode) return await response.Content.ReadAsByteArrayAsync(cancellationToken);
                throw await ProblemAsync(response, cancellationToken);
            }
        }
    }

    private static async Task<LedgerClientException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var status = (int)response.StatusCode;
        try
        {
            using var problem = JsonDocument.Parse(text);
            var root = problem.RootElement;
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() : root.TryGetProperty("title", out var t) ? t.GetString() : null;
            var type = root.TryGetProperty("type", out var ty) ? ty.GetString() : null;
            return new LedgerClientException($"ledger request failed ({status}): {detail}", status, type);
        }
        catch (JsonException)
        {
            return new LedgerClientException($"ledger request failed ({status})", status);
        }
    }

    /// <summary>Sends what the batchers hold, then releases connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await _transferBatcher.DisposeAsync();
        await _accountBatcher.DisposeAsync();
        _tokens.Dispose();
        _http.Dispose();
    }
}
