using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Banyan.OpenBanking.Events;

/// <summary>
/// The SSRF guard for webhooks (decision 0607). A webhook URL is checked when it is registered and again on every
/// connection the dispatcher opens (DNS can change in between): every address its host resolves to must be a
/// public unicast address. Refused: loopback, private (RFC 1918), link-local (incl. 169.254.169.254 metadata),
/// CGNAT (100.64/10), "this network", multicast, reserved/broadcast, IPv6 unique-local, site-local, unspecified,
/// and IPv4 addresses hidden in IPv6 (mapped, compatible, NAT64) when the IPv4 address is refused.
/// The one exception is <c>127.0.0.1</c> written literally in the URL when <see cref="AllowLoopback"/> is set
/// (tests, the sandbox and the demo on one machine); a name that resolves to loopback is always refused.
/// </summary>
internal sealed class WebhookAddressGuard(bool allowLoopback, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
{
    public const string AllowLoopbackKey = "AllowLoopback";
    private const int MaxAddresses = 16;
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Whether plain <c>http://127.0.0.1</c> receivers are allowed (configuration, see <see cref="From"/>).</summary>
    public bool AllowLoopback => allowLoopback;

    /// <summary>
    /// <c>Banyan:OpenBanking:Webhooks:AllowLoopback</c>; when unset, true only in the Development, Sandbox, Demo and
    /// Test environments, so a production host never delivers to its own loopback interface by default.
    /// </summary>
    public static WebhookAddressGuard From(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetSection(WebhookOptions.Section)[AllowLoopbackKey];
        bool allow;
        if (string.IsNullOrEmpty(configured))
        {
            allow = environment.IsDevelopment() || environment.IsEnvironment("Sandbox") || environment.IsEnvironment("Demo") || environment.IsEnvironment("Test");
        }
        else if (!bool.TryParse(configured, out allow))
        {
            throw new InvalidOperationException($"{WebhookOptions.Section}:{AllowLoopbackKey} must be true or false.");
        }

        return new WebhookAddressGuard(allow, (host, ct) => Dns.GetHostAddressesAsync(host, ct));
    }

    /// <summary>Why <paramref name="address"/> may not receive webhooks, or null when it is a public unicast address.</summary>
    public static string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return Refusal(address.MapToIPv4());
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => RefusalV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => RefusalV6(address),
            _ => "not an IP address",
        };
    }

    private static string? RefusalV4(byte[] b) => (b[0], b[1]) switch
    {
        (0, _) => "\"this network\" (0.0.0.0/8)",
        (10, _) => "private (10.0.0.0/8)",
        (127, _) => "loopback (127.0.0.0/8)",
        (169, 254) => "link-local (169.254.0.0/16, cloud metadata)",
        (172, >= 16 and <= 31) => "private (172.16.0.0/12)",
        (192, 168) => "private (192.168.0.0/16)",
        (100, >= 64 and <= 127) => "shared CGNAT (100.64.0.0/10)",
        (192, 0) when b[2] == 0 => "IETF protocol assignments (192.0.0.0/24)",
        (198, 18 or 19) => "benchmarking (198.18.0.0/15)",
        (>= 224 and <= 239, _) => "multicast (224.0.0.0/4)",
        (>= 240, _) => "reserved or broadcast (240.0.0.0/4)",
        _ => null,
    };

    private static string? RefusalV6(IPAddress address)
    {
        var b = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return "loopback (::1)";
        }

        if (address.Equals(IPAddress.IPv6Any))
        {
            return "unspecified (::)";
        }

        if (b[0] == 0xff)
        {
            return "multicast (ff00::/8)";
        }

        if ((b[0] & 0xfe) == 0xfc)
        {
            return "unique-local (fc00::/7)";
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        {
            return "link-local (fe80::/10)";
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
        {
            return "site-local (fec0::/10)";
        }

        // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address a gateway would reach.
        var compatible = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;
        var nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0;
        if ((compatible || nat64) && RefusalV4(b[12..]) is { } inner)
        {
            return "IPv4 inside IPv6: " + inner;
        }

        return null;
    }

    /// <summary>
    /// Checks the URL's host at registration: null when every address it resolves to may receive webhooks (or
    /// the name does not resolve yet: delivery checks again at connect time), otherwise why it is refused.
    /// </summary>
    public async Task<string?> CheckAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            await ResolveCheckedAsync(url.IdnHost, cancellationToken);
            return null;
        }
        catch (WebhookAddressRefusedException refused)
        {
            return refused.Message;
        }
        catch (SocketException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The resolver did not answer within ResolveTimeout: treated like a name that does not resolve yet.
            return null;
        }
    }

    /// <summary>
    /// The dispatcher's <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host, refuses it unless every
    /// address is allowed, connects to those checked addresses (never resolving again) and re-checks the address the
    /// socket actually connected to, so DNS rebinding between the check and the connect cannot reach a refused one.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await ResolveCheckedAsync(host, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            var connected = (socket.RemoteEndPoint as IPEndPoint)?.Address
                ?? throw new WebhookAddressRefusedException($"webhook address refused: {host} connected to no IP endpoint");
            Check(host, connected);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task<IPAddress[]> ResolveCheckedAsync(string host, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(ResolveTimeout);
            addresses = await resolve(host, deadline.Token);
        }

        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        // Every address must pass: a name with one public and one private record is refused, not half-trusted.
        foreach (var address in addresses.Take(MaxAddresses))
        {
            Check(host, address);
        }

        return addresses.Take(MaxAddresses).ToArray();
    }

    private void Check(string host, IPAddress address)
    {
        var ip = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (allowLoopback && host == "127.0.0.1" && ip.Equals(IPAddress.Loopback))
        {
            return;
        }

        if (Refusal(ip) is { } why)
        {
            throw new WebhookAddressRefusedException($"webhook address refused: {host} resolves to {ip}, {why}");
        }
    }
}

/// <summary>A webhook host resolved or connected to an address the SSRF guard refuses; the message says which and why.</summary>
internal sealed class WebhookAddressRefusedException(string message) : HttpRequestException(message);
