using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.OpenBanking.Identity;

/// <summary>Registers what the customer login needs beyond Identity: antiforgery, recovery-code hashing, device binding.</summary>
internal static class LoginServices
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var devices = new DeviceOptions();
        configuration.GetSection(DeviceOptions.Section).Bind(devices);
        if (devices.MaxPerCustomer is < 1 or > 50 || devices.CookieDays is < 1 or > 400)
        {
            throw new InvalidOperationException($"{DeviceOptions.Section}: MaxPerCustomer must be 1–50 and CookieDays 1–400.");
        }

        services.AddAntiforgery();
        services.AddSingleton(devices);
        services.AddSingleton<CustomerDevices>();
        services.AddSingleton<RecoveryCodeHasher>();
    }
}
