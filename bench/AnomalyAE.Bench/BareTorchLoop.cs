using System.Runtime.InteropServices;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyAE.Bench;

/// <summary>
/// The reference: the same networks, losses, optimizer and batching written directly against TorchSharp, with nothing
/// of ML.NET or AnomalyAE in between. What our estimators and transformers add is measured against these loops.
/// </summary>
internal static class BareTorchLoop
{
    private sealed class Autoencoder : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> encoder, decoder;

        public Autoencoder(int input, int hidden, int latent) : base(nameof(Autoencoder))
        {
            encoder = nn.Sequential(nn.Linear(input, hidden), nn.ReLU(), nn.Linear(hidden, latent));
            decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, input));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => decoder.call(encoder.call(x));
    }

    private sealed class Vae : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> encoder, mean, logVariance, decoder;

        public Vae(int input, int hidden, int latent) : base(nameof(Vae))
        {
            encoder = nn.Sequential(nn.Linear(input, hidden), nn.ReLU());
            mean = nn.Linear(hidden, latent);
            logVariance = nn.Linear(hidden, latent);
            decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, input));
            RegisterComponents();
        }

        public (Tensor Mu, Tensor LogVar) Encode(Tensor x)
        {
            var h = encoder.call(x);
            return (mean.call(h), logVariance.call(h));
        }

        public Tensor Decode(Tensor z) => decoder.call(z);

        public override Tensor forward(Tensor x) => Decode(Encode(x).Mu);
    }

    /// <summary>Per-epoch training rows/s of a dense autoencoder (MSE, Adam), shuffled mini-batches.</summary>
    public static List<double> TrainAutoencoder(float[] data, int rows, int columns, int epochs, int batchSize, int threads)
    {
        var network = new Autoencoder(columns, 128, 32);
        return Train(network, data, rows, columns, epochs, batchSize, threads, (net, batch) => nn.functional.mse_loss(net.call(batch), batch));
    }

    /// <summary>Per-epoch training rows/s of a VAE: summed MSE reconstruction + KL, reparameterized sample.</summary>
    public static List<double> TrainVae(float[] data, int rows, int columns, int epochs, int batchSize, int threads)
    {
        var network = new Vae(columns, 128, 32);
        return Train(network, data, rows, columns, epochs, batchSize, threads, (net, batch) =>
        {
            var vae = (Vae)net;
            var (mu, logVar) = vae.Encode(batch);
            var z = mu + (0.5 * logVar).exp() * randn_like(mu);
            var reconstruction = (vae.Decode(z) - batch).square().sum([1]);
            var kl = -0.5 * (1 + logVar - mu.square() - logVar.exp()).sum([1]);
            return (reconstruction + kl).mean();
        });
    }

    private static List<double> Train(nn.Module<Tensor, Tensor> network, float[] data, int rows, int columns, int epochs, int batchSize, int threads,
        Func<nn.Module<Tensor, Tensor>, Tensor, Tensor> loss)
    {
        torch.set_num_threads(threads);
        using var owned = network;
        using var optimizer = optim.Adam(network.parameters(), 1e-3);
        using var all = tensor(data.AsSpan(0, rows * columns).ToArray(), [rows, columns]);
        var random = new Random(1);
        var rates = new List<double>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var order = Enumerable.Range(0, rows).Select(i => (long)i).ToArray();
            random.Shuffle(order);
            using var permutation = tensor(order);
            for (int start = 0; start < rows; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int count = Math.Min(batchSize, rows - start);
                var batch = all.index_select(0, permutation.narrow(0, start, count));
                optimizer.zero_grad();
                var value = loss(network, batch);
                value.backward();
                optimizer.step();
                _ = value.item<float>();
            }
            rates.Add(rows / clock.Elapsed.TotalSeconds);
        }
        return rates;
    }

    /// <summary>Rows/s of batched no-grad scoring (per-row MSE of the reconstruction) from a float[] to a float[] of scores.</summary>
    public static double ScoreAutoencoder(float[] data, int rows, int columns, int batchSize, int threads) =>
        Score(new Autoencoder(columns, 128, 32), data, rows, columns, batchSize, threads);

    /// <summary>Same for the VAE (error of the decoded posterior mean).</summary>
    public static double ScoreVae(float[] data, int rows, int columns, int batchSize, int threads) =>
        Score(new Vae(columns, 128, 32), data, rows, columns, batchSize, threads);

    private static double Score(nn.Module<Tensor, Tensor> network, float[] data, int rows, int columns, int batchSize, int threads)
    {
        torch.set_num_threads(threads);
        using var owned = network;
        network.eval();
        var scores = new float[rows];
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < rows; start += batchSize)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            int count = Math.Min(batchSize, rows - start);
            var batch = tensor(data.AsMemory(start * columns, count * columns), [count, columns]);
            var error = (network.call(batch) - batch).square().mean([1]);
            MemoryMarshal.Cast<byte, float>(error.bytes).CopyTo(scores.AsSpan(start, count));
        }
        return rows / clock.Elapsed.TotalSeconds;
    }
}
