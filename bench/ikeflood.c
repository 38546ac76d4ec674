/* Spoofed-source IKE_SA_INIT flood for bench/flood.sh (compiled on the fly with gcc).
 *
 *   ikeflood DST_IP SRC_NET/PREFIX SECONDS [BATCH]
 *
 * Sends IKEv2 IKE_SA_INIT requests to DST_IP:500 from every address of SRC_NET in turn (source port 500),
 * through a raw IPv4 socket with our own IP and UDP headers (IP_HDRINCL), BATCH (default 64) datagrams per
 * sendmmsg(2), as fast as one thread can, for SECONDS. Each request is a well-formed one that a responder
 * accepting aes128gcm16-prfsha256-ecp256 would answer: SA (AES-GCM-16/128, PRF-HMAC-SHA256, ECP-256),
 * KE (group 19, the P-256 base point as public value: a valid curve point), Nonce (32 bytes); SPIi and the
 * nonce differ per packet. UDP checksum 0 (allowed for IPv4); the kernel fills in the IP checksum.
 * Prints "sent PACKETS packets in SECONDS s = PPS pps" on stdout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXBATCH 256

static const uint8_t p256_gx_gy[64] = {
	0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
	0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
	0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
	0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
};

static void put16(uint8_t *p, unsigned v) { p[0] = v >> 8; p[1] = v; }
static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

/* Writes the IKE message at p; returns its length. SPIi at offset 0 (8 bytes), nonce data at *nonce_off. */
static size_t build_ike(uint8_t *p, size_t *nonce_off)
{
	uint8_t *q = p + 28; /* after the IKE header */
	/* SA payload */
	uint8_t *sa = q;
	q += 4;
	uint8_t *prop = q;
	q += 8; /* proposal header: last, reserved, length, number 1, protocol IKE, SPI size 0, 3 transforms */
	/* transform ENCR AES-GCM-16 (20) with key length 128 */
	q[0] = 3; q[1] = 0; put16(q + 2, 12); q[4] = 1; q[5] = 0; put16(q + 6, 20); put16(q + 8, 0x800e); put16(q + 10, 128); q += 12;
	/* transform PRF HMAC-SHA2-256 (5) */
	q[0] = 3; q[1] = 0; put16(q + 2, 8); q[4] = 2; q[5] = 0; put16(q + 6, 5); q += 8;
	/* transform DH ECP-256 (19), last */
	q[0] = 0; q[1] = 0; put16(q + 2, 8); q[4] = 4; q[5] = 0; put16(q + 6, 19); q += 8;
	prop[0] = 0; prop[1] = 0; put16(prop + 2, q - prop); prop[4] = 1; prop[5] = 1; prop[6] = 0; prop[7] = 3;
	sa[0] = 34; /* next: KE */ sa[1] = 0; put16(sa + 2, q - sa);
	/* KE payload */
	uint8_t *ke = q;
	ke[0] = 40; /* next: Nonce */ ke[1] = 0; put16(ke + 2, 8 + 64); put16(ke + 4, 19); put16(ke + 6, 0);
	memcpy(ke + 8, p256_gx_gy, 64);
	q += 8 + 64;
	/* Nonce payload, 32 bytes */
	q[0] = 0; q[1] = 0; put16(q + 2, 4 + 32);
	*nonce_off = (q + 4) - p;
	for (int i = 0; i < 32; i++) q[4 + i] = (uint8_t)rand();
	q += 4 + 32;
	/* IKE header */
	memset(p, 0, 28);
	p[16] = 33; /* next: SA */
	p[17] = 0x20; /* IKEv2 */
	p[18] = 34; /* IKE_SA_INIT */
	p[19] = 0x08; /* initiator */
	put32(p + 20, 0);
	put32(p + 24, q - p);
	return q - p;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s DST_IP SRC_NET/PREFIX SECONDS [BATCH]\n", argv[0]);
		return 2;
	}
	struct in_addr dst, net;
	char netbuf[64];
	snprintf(netbuf, sizeof(netbuf), "%s", argv[2]);
	char *slash = strchr(netbuf, '/');
	int prefix = slash ? atoi(slash + 1) : 32;
	if (slash) *slash = 0;
	if (!inet_aton(argv[1], &dst) || !inet_aton(netbuf, &net) || prefix < 8 || prefix > 32) {
		fprintf(stderr, "bad address\n");
		return 2;
	}
	double secs = atof(argv[3]);
	int batch = argc > 4 ? atoi(argv[4]) : 64;
	if (batch < 1 || batch > MAXBATCH) batch = 64;
	uint32_t base = ntohl(net.s_addr) & (prefix == 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1));
	uint32_t hosts = prefix == 32 ? 1 : (1u << (32 - prefix));

	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW); /* IPPROTO_RAW implies IP_HDRINCL */
	if (fd < 0) { perror("socket"); return 1; }
	int sndbuf = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));

	srand(getpid());
	static uint8_t pkts[MAXBATCH][512];
	static struct iovec iov[MAXBATCH];
	static struct mmsghdr msgs[MAXBATCH];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = dst };
	size_t nonce_off = 0, ike_len = 0;
	for (int i = 0; i < batch; i++) {
		uint8_t *p = pkts[i];
		ike_len = build_ike(p + 28, &nonce_off);
		struct iphdr *ip = (struct iphdr *)p;
		ip->version = 4; ip->ihl = 5; ip->tos = 0; ip->tot_len = htons(28 + ike_len);
		ip->id = 0; ip->frag_off = htons(IP_DF); ip->ttl = 64; ip->protocol = IPPROTO_UDP; ip->check = 0;
		ip->daddr = dst.s_addr;
		struct udphdr *udp = (struct udphdr *)(p + 20);
		udp->source = htons(500); udp->dest = htons(500); udp->len = htons(8 + ike_len); udp->check = 0;
		iov[i].iov_base = p;
		iov[i].iov_len = 28 + ike_len;
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	uint64_t sent = 0, counter = (uint64_t)rand() << 20, errors = 0;
	uint32_t host = 0;
	double t0 = now(), t = t0;
	while (t - t0 < secs) {
		for (int i = 0; i < batch; i++) {
			uint8_t *p = pkts[i];
			struct iphdr *ip = (struct iphdr *)p;
			/* skip the network's .0 and broadcast-looking .255 */
			do { host = (host + 1) % hosts; } while (hosts > 2 && ((base + host) & 0xff) % 255 == 0);
			ip->saddr = htonl(base + host);
			counter++;
			memcpy(p + 28, &counter, 8);                   /* SPIi */
			memcpy(p + 28 + nonce_off, &counter, 8);       /* nonce */
		}
		int n = sendmmsg(fd, msgs, batch, 0);
		if (n > 0) sent += n;
		else if (errno != EAGAIN && errno != ENOBUFS && errno != EINTR) { perror("sendmmsg"); return 1; }
		else errors++;
		t = now(); /* one clock read per batch: cheap next to the batch itself */
	}
	double el = now() - t0;
	printf("sent %llu packets in %.2f s = %.0f pps (%llu send errors)\n",
	       (unsigned long long)sent, el, sent / el, (unsigned long long)errors);
	return 0;
}
