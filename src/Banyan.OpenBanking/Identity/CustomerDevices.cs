using System.Security.Cryptography;
using System.Text;
using Banyan.OpenBanking.Storage;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Identity;

/// <summary>Device binding settings (<c>Banyan:OpenBanking:Devices</c>).</summary>
internal sealed class DeviceOptions
{
    public const string Section = "Banyan:OpenBanking:Devices";

    /// <summary>Bound devices per customer; a login from a further device succeeds but does not bind it.</summary>
    public int MaxPerCustomer { get; set; } = 5;

    /// <summary>Lifetime of the device cookie.</summary>
    public int CookieDays { get; set; } = 180;
}

/// <summary>The browser presenting a login: its device id (from the cookie, or new) and whether the customer bound it.</summary>
/// <param name="DeviceId">The random 128-bit id (base64url) that the browser holds in its cookie.</param>
/// <param name="DeviceHash">SHA-256 of the id (base64url): what is stored and what the risk engine sees.</param>
/// <param name="AgentFingerprint">Fingerprint of the user agent (versions ignored).</param>
/// <param name="Known">Whether this customer has bound this device and the user agent still matches.</param>
/// <param name="Fresh">Whether the id was just made (the browser had no valid cookie).</param>
internal readonly record struct PresentedDevice(string DeviceId, string DeviceHash, string AgentFingerprint, bool Known, bool Fresh);

/// <summary>What binding a device after a successful second factor did.</summary>
internal enum BindOutcome
{
    AlreadyBound = 1,
    Bound = 2,
    LimitReached = 3,
}

/// <summary>
/// Device binding (decision 0611): each browser carries a random 128-bit id in an HttpOnly cookie; after a login
/// with a second factor the device (hash of the id + user-agent fingerprint) is bound to the customer, up to
/// <see cref="DeviceOptions.MaxPerCustomer"/>. Binding, refusals and removals are audited. A bound device never
/// replaces the second factor; it tells the risk engine and the customer which browser this is.
/// </summary>
internal sealed class CustomerDevices(IServiceScopeFactory scopes, DeviceOptions options, TimeProvider time, IAuditLog audit)
{
    public const string CookieName = "banyan_ob_device";
    private const int IdBytes = 16;

    public int Limit => options.MaxPerCustomer;

    /// <summary>The device as presented by the request: the cookie's id when well-formed, else a new random one.</summary>
    public static PresentedDevice Read(HttpContext http)
    {
        var cookie = http.Request.Cookies[CookieName];
        var valid = cookie is { Length: 22 } && cookie.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
        var id = valid ? cookie! : Base64Url(RandomNumberGenerator.GetBytes(IdBytes));
        return new PresentedDevice(id, HashOf(id), AgentFingerprint(http.Request.Headers.UserAgent.ToString()), Known: false, Fresh: !valid);
    }

    /// <summary>The device of the request, marked known when <paramref name="customerId"/> bound it with the same user agent.</summary>
    public async Task<PresentedDevice> RecogniseAsync(HttpContext http, string customerId, CancellationToken cancellationToken)
    {
        var device = Read(http);
        if (device.Fresh)
        {
            return device;
        }

        await using var scope = scopes.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<CustomerDeviceRow>().AsNoTracking()
            .FirstOrDefaultAsync(d => d.CustomerId == customerId && d.DeviceHash == device.DeviceHash, cancellationToken);
        // A known cookie from a different browser family is treated as unknown: it may have been copied.
        return device with { Known = row is not null && row.AgentFingerprint == device.AgentFingerprint };
    }

    /// <summary>Gives the browser its device cookie (HttpOnly, SameSite=Lax, Secure on https).</summary>
    public void IssueCookie(HttpContext http, PresentedDevice device) =>
        http.Response.Cookies.Append(CookieName, device.DeviceId, new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            IsEssential = true,
            MaxAge = TimeSpan.FromDays(Math.Clamp(options.CookieDays, 1, 400)),
        });

    /// <summary>Binds the device after a successful second factor (or refreshes it), within the per-customer limit; audited.</summary>
    public async Task<BindOutcome> BindDeviceAsync(string customerId, PresentedDevice device, string? userAgent, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var existing = await db.Set<CustomerDeviceRow>().FirstOrDefaultAsync(d => d.CustomerId == customerId && d.DeviceHash == device.DeviceHash, cancellationToken);
        var outcome = BindOutcome.AlreadyBound;
        if (existing is not null)
        {
            existing.LastSeenAtUnixMs = now;
            existing.AgentFingerprint = device.AgentFingerprint;
            existing.UserAgent = Truncate(userAgent, 256);
        }
        else if (await db.Set<CustomerDeviceRow>().CountAsync(d => d.CustomerId == customerId, cancellationToken) >= options.MaxPerCustomer)
        {
            outcome = BindOutcome.LimitReached;
        }
        else
        {
            db.Add(new CustomerDeviceRow
            {
                Id = "dev_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)),
                CustomerId = customerId,
                DeviceHash = device.DeviceHash,
                AgentFingerprint = device.AgentFingerprint,
                UserAgent = Truncate(userAgent, 256),
                BoundAtUnixMs = now,
                LastSeenAtUnixMs = now,
            });
            outcome = BindOutcome.Bound;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException) when (outcome == BindOutcome.Bound)
        {
            // The same browser bound concurrently by a parallel login (unique index): it is bound either way.
            return BindOutcome.AlreadyBound;
        }

        if (outcome != BindOutcome.AlreadyBound)
        {
            await audit.AppendAsync(new AuditEntry("authentication", outcome == BindOutcome.Bound ? "device_bound" : "device_binding_refused", customerId, null,
                outcome == BindOutcome.Bound ? "succeeded" : "failed",
                new Dictionary<string, string> { ["reason"] = outcome == BindOutcome.Bound ? "second factor passed" : $"limit of {options.MaxPerCustomer} devices reached" }), cancellationToken);
        }

        return outcome;
    }

    public async Task<IReadOnlyList<CustomerDeviceRow>> ListAsync(string customerId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DbContext>().Set<CustomerDeviceRow>().AsNoTracking()
            .Where(d => d.CustomerId == customerId).OrderBy(d => d.BoundAtUnixMs).Take(Math.Max(options.MaxPerCustomer, 1) * 2).ToListAsync(cancellationToken);
    }

    /// <summary>Removes one of the customer's own devices; false when the customer has no such device. Audited.</summary>
    public async Task<bool> RemoveAsync(string customerId, string deviceId, CancellationToken cancellationToken)
    {
        if (deviceId.Length > 40)
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        var removed = await scope.ServiceProvider.GetRequiredService<DbContext>().Set<CustomerDeviceRow>()
            .Where(d => d.Id == deviceId && d.CustomerId == customerId).ExecuteDeleteAsync(cancellationToken);
        if (removed == 1)
        {
            await audit.AppendAsync(new AuditEntry("authentication", "device_removed", customerId, deviceId, "succeeded"), cancellationToken);
        }

        return removed == 1;
    }

    public static string HashOf(string deviceId) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(deviceId)));

    /// <summary>SHA-256 of the user agent without its digits, so a browser update keeps the fingerprint but another browser does not.</summary>
    public static string AgentFingerprint(string? userAgent)
    {
        var text = new string(Truncate(userAgent, 512).Where(c => !char.IsAsciiDigit(c)).ToArray());
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }

    private static string Truncate(string? value, int length) => value is null ? "" : value.Length > length ? value[..length] : value;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
