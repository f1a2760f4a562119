package container

import (
	"crypto/rand"
	"math/big"
	"strconv"

	cstorage "go.podman.io/storage"
)

var (
	adjectives = []string{"admiring", "brave", "clever", "dreamy", "eager", "focused", "gallant", "happy", "jolly", "keen", "lucid", "modest", "nifty", "quirky", "serene", "tender", "upbeat", "vibrant", "wizardly", "zealous",
		"amazing", "bold", "busy", "charming", "compassionate", "cool", "determined", "distracted", "ecstatic", "elegant", "epic", "fervent", "festive", "friendly", "goofy", "gracious", "hardcore", "hopeful", "hungry", "inspiring", "intelligent", "kind", "laughing", "loving", "magical", "mystifying", "naughty", "nostalgic", "objective", "optimistic", "peaceful", "pensive", "practical", "priceless", "relaxed", "reverent", "romantic", "sharp", "silly", "sleepy", "stoic", "strange", "sweet", "trusting", "vigilant", "wonderful", "youthful"}
	surnames = []string{"babbage", "curie", "darwin", "euler", "fermi", "galois", "hopper", "jennings", "knuth", "lovelace", "meitner", "noether", "pascal", "ritchie", "shannon", "thompson", "turing", "wozniak", "yalow", "zuse",
		"agnesi", "archimedes", "bardeen", "bell", "bohr", "boole", "cerf", "chandrasekhar", "dijkstra", "einstein", "feynman", "franklin", "gauss", "goldberg", "hamilton", "hawking", "heisenberg", "hodgkin", "hypatia", "johnson", "kepler", "lamport", "liskov", "mccarthy", "mendel", "minsky", "morse", "newton", "nobel", "payne", "pike", "planck", "raman", "ride", "sammet", "sinoussi", "tesla", "torvalds", "villani", "wilson", "wu"}
)

// freeName returns a random name no container has, adding a number after
// a few collisions, as Docker does.
func freeName(st interface {
	Container(string) (*cstorage.Container, error)
}) string {
	for i := 0; ; i++ {
		name := RandomName()
		if i >= 5 {
			name += strconv.Itoa(i)
		}
		if _, err := st.Container(name); err != nil {
			return name
		}
	}
}

// RandomName returns a Docker-style adjective_surname name.
func RandomName() string {
	return pick(adjectives) + "_" + pick(surnames)
}

func pick(list []string) string {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(list))))
	if err != nil {
		return list[0]
	}
	return list[n.Int64()]
}
