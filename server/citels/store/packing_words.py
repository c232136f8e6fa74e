"""The words a packed paper's compression starts from (`packing.py`): FROZEN.

Every paper an index stores is compressed against these words, so changing one byte makes
every stored paper unreadable. A new list needs a new packing version (`packing.VERSION`).

Made once from the bundled corpus's abstracts: the 2,500 most frequent words of three or
more letters (seen at least three times), least frequent first, since zstd codes a match
nearer the end of its dictionary more cheaply. Then the names of the fields of a paper's
JSON, which every paper has.
"""

WORDS = """
    auditing reported dilemma converges incentives alternatives shared reliably modes harmless
    maximizes toolkit consecutive now once intent Workbook selecting selected families rules
    mini impose quickly perception recovers intervals trustworthiness coefficients element
    complement yielding Gamma allowed economy System solved sim chain prevents lens unclear
    updating removed heuristics persistent ascent qualitative eigenvalues KVAE tends steer
    VAEs modelling memorize intended sheds GPO proved SAC advance bounding prioritized manual
    counterpart Different taking flips formula approximately raw recommender proportional SSD
    slightly Newton curves curve groups external adapts thorough Temporal sided frontier
    annotations intuition NLP did checking approximations enjoy eventually criterion absence
    collective erroneous statistic storage AutoEval guides claim smoothing simulators pruning
    architectural necessity Due extending refinement assignment replace Agents gained
    sophisticated spanning ell plays Linear place occur awareness produces exploitation
    affected Atari caused TRPO mainstream conversations promote repeated interact quantitative
    break exp searching removal recognition build trend begin misspecification edge AUC
    deletion avoiding forgotten regulations edges performant modifying Drawing seen recursive
    six Subsequently infrastructure eliminates compatible definition compromise prominent
    integrating concepts containing violations pose revealed presented inevitably balancing
    robotic manipulation induce observes switching AIME scheduling referred comparisons
    curriculum adverse advice effort beneficial asymptotic softmax fuzzing compiler serious
    bugs extremely artificial sequences comprises CostBench adaptability Current soft
    encourages vanishing surge collaboration dynamical differentiation captured technology
    likely refer greedy shifts ERM incurs perturbation realizability drift explaining norms
    problematic failures pitfall ethical entirely anti Hard Arena vanilla logistic auto
    categories significance OPTML resilience vital aiming replicate universal stakes leveraged
    ranging interpolation fix themselves furthermore GVA unstable propagation stem affecting
    sharp cloning represented theorem BRAIn ignoring Delta Oleft conflict entanglement project
    hindsight OPPO extract Nonetheless Many contains internal barrier pessimistic membership
    exposure back balanced Gemini narrow functionals accounting article twins asymmetry
    distortions invariant implies sqrt MAB Bandits rounds completely primal proves easier
    believe constructing provable constructed prevalent nodes factual specialized judgments
    options susceptible directions characterized budgets portfolios logged stronger Video
    drowsy distracted rise sharing traffic perceived reasons fit said emphasizing seamlessly
    modify injection consequences transactions AdvWeb safe raising benefit Suite DeepMind
    computed buffer tackles AIL Weighted central extended streaming perturbations units Deep
    path Choice reconstruct justify dramatically adapting optimizes rollout Utility epochs
    Twins temperature backbones unsupervised retaining preserves half Search Guidance
    usefulness maintains misalignment try obtaining constrain Neural characteristics depending
    Theoretically proximal uniformly structures accelerating exactly executed strict basis
    normalized formally doing detect built treated aforementioned away GenRMs VPI DiffCAP
    formulas EFX ULU SSP hacking dNSGA Skywork SePPO RewardBench RFT finetuning corpus SCORE
    semantics MDVI PPLs martingale MORL regrets MTL recover variances kind MOGFNs nested
    stimuli Tuning mapping parts Eval tax MCEP MAP merging adjustment probes missing
    accelerates corroborate unlearn trigger LAT Prior virtual LDR biased comprising
    Equilibrium widetilde adversarially achievable quadrature importantly Conformal broader
    possibly formulated captioning adjusting CCA scaled inducing mitigating averse uncertain
    TOFU region Guided MEC seek Math MCTS minimizes foundations retrain accessible
    considerable root inconsistency contained regardless predefined strengths NLVG adopted
    derivatives feasible ratios establishing MDE inductive lengths optimisation lightweight
    serving addressed connection inefficient credit clipping solely consuming dimensions How
    accessibility eviction drastically depends verified logit randomized grow playing deeper
    demands personal rich studying ambiguity elements retraining discover radiology year
    transform validity AdvUnlearn DMs evolving Stackelberg Codes manage treat coding
    representative reject majority detailed facilitates variability undermine perceptual
    modalities MedMLLMs mutation binary correctness growth exact proprietary changing
    structured rule server stages incremental UCB supervision perturbed minima Estimation
    expressed ratings fitted inner preventing Sequential taken aimed though boost AlpacaEval
    life financial fraud CIFAR eliminate selectively community trustworthy underscore
    cognitive maker explanations utilize confirm editing lacks extent benign Reward
    conditioning followed technical readily examine performed promoting predictive
    quantification medicine overly Bayes reporting measuring Self MABs poly almost Banker
    round attains approximating Even coresets closely coreset gain Numerical graphs frameworks
    DeepSeek focusing portfolio draw tests detecting simulated Dataset separate investigated
    analytical lacking sensitivity offering mismatch requests prone modeled together expose
    flexibility stock induced discrepancy weak boosting DAC dominant keeping targets flow
    share avoids combines quantity CAVs experience annotation uncertainties etc Barlow
    producing projection separately focused segmentation contribute uncover Distillation
    Meanwhile choose mixed Besides occurs pronounced weighting properly topic adoption squares
    eliminating reliance computations version norm beta complexities RNNs hence operate
    nonlinear creating residual iterates opens solvers having payoff showed MBRL DPA muP
    evaluator traces documents LOOP RAT coefficient concentrability unlabeled implemented
    overlap repeatedly NGRPO candidates analyses MMRole resolve MDPO five math generalizes MaD
    respond conflicting GFlowNets limit Overall switch minimized attempt unseen otherwise
    motivated IBCL whole hierarchical sense partially inconsistencies verifiable captures
    engineering parameterized Surprisingly keep instantiate annotated realistic annealing
    functional incorporating toward schedule epsilon calibrated impressive programming scratch
    numerous highlights Training suited serves reflect teacher delta individuals growing
    projected preservation retained captions obtains helps identifies federated objects
    straightforward determine relying RMAB supported MATH needed Given own counterparts comp
    Tzer tensor running affects simulate plans early patient smoothness arises Minimization
    bridge impractical square around additionally addresses designs proposes statistically
    erasure fields advancements actually belief SGD instabilities connections degree creates
    conflicts Conditional involve orthogonal specification decay hypothesis sacrificing bonus
    regularizer hope semantic forms Unlearning integration Meta meaningful whereas
    personalized object par details careful delay economic ratio conducted proofs generic
    minimum inputs exploiting advanced comparing offer facilitate Evaluation reaching
    indicating computer analyzing widespread emissions subject disease precisely optimizer
    capturing MMLU underexplored Control represent maintain Actor Diffusion surpasses Descent
    Gradient plasticity extraction limitation others active implicitly activation connected
    remaining longer flexible utilization requirement head saddle trainable down dense
    correlations termed plug Building denoising default differ Adaptive Thus costly Terry
    Bradley iii hybrid Jacobi imaging bottleneck frame channels acquired robustly arbitrarily
    fails sound VLUCI UDIM fitting Sigma sigma DICE NPO CFR healthcare Mix poorly population
    Lean already procedures candidate generalize formalisms IPS modal correctly subsets
    combination trust probabilistic zeroth start too grows trials demonstrations validation
    distance specified valid recourse automatically following DWM scientific namely
    decomposition interplay decentralized thought sizes excessive textual exist relatively
    LLaVA gaps practicality static throughout ensures enjoys extends platform hold valuable
    arms instability degradation short suggests penalty simpler episode responsible Shapley
    explain depend Bench insurance Group outperforming averaging parametric Proximal promise
    face synthesis focuses applicable exponentially practices favorable tight carefully behind
    mixing Mistral priors yield ImageNet embedding versions avoid existence template They
    maximization proposing applicability limiting compare squared Gaussian structural assumed
    deployed notable above architecture Transformer decrease increased take history
    correlation involves vulnerabilities little replay Critic advancing applies UPGD auxiliary
    rigorous scenario performances deploying predicting predict dependency faces labeled
    discovery formulate attempts protocols mitigates augmented formalize found Empirically
    requiring property establishes Mirror execution enabled utilizes acquisition unlike close
    jobs AMDPs landscape Iteration aggregate undesirable necessary Processes just
    parameterization formal precision PRM density backward enough Markovian discuss principles
    processing query verification release left who good line another mixture modified
    dependencies GPU involving weather canonical confounding hidden serve armed Inspired
    according attention highlighting extension advances digital min potentially combinatorial
    uniform adding satisfy classic RMs product ideal tune adversary proof map explanation
    evaluated XAI suggesting inversion mode intractable named grained Since developed
    recommendations seeks transitions supports highest comparison differential regarding
    regime nor naturally logarithmic match handling OMD resources assumes submodular
    researchers tailored strongly interesting capability means causes describe therefore
    Unlike hoc identical notably modifications struggle precise equivalent interventions
    interpretability automated run follow incorporates provided entire extra extensively
    Previous assess capable demonstrates bounded generates consumption abilities probabilities
    assuming guaranteed parallel autoregressive evaluating competing unique main motion Front
    bag star CLIP Motivated direction idea front runtime Both clear experts rankings
    systematic cache collection optimistic Yet sometimes Robust advantages agnostic every
    theoretic account follower segments considering indicate Multimodal report generalized
    reliability verify explored optimality rational communication proven removing cooperative
    suite ensure years released employed health interactive experiment simulations
    surprisingly ranking includes oracle employ content adopt substantially components
    relevance desired automatic Compared proving specifically LRMs OPE Off create poor
    overfitting were driving dispreferred contexts guiding intervention downstream scores
    optimizers targeted malicious remarkable ones initial setup More SAEs variates differences
    worse limits employing experimentally contrastive augmentation handle conditioned guided
    great Machine estimated exhibits finding iterations independently however top physical
    accelerated imperfect reparameterization optima deterministic revealing MDP conformal
    equivalence minimize next obtained simply desirable fair Second normal calibration
    tradeoffs goals student slow remove max established major typical leader logits answering
    superiority converge enhanced arm difficulty core aspects private confounders inspired
    loop closed choices part oracles poses infinite call why progress newly hallucination
    performs Llama side grounded phase Then contributions relationships risks outperform cause
    web Vision trains dynamically hyperparameter intermediate always style underlying
    incorporate exploit usually latter adaptively catastrophic OOD inverse usage
    implementation semi last frequently equation easily signal Theta vector must Unfortunately
    play MIL CVaR rank kernel thinking grokking employs requirements temporal combine criteria
    align diversity implement coverage operator near controlling minimal quantify suffers
    Empirical successfully understood variation iteratively comparable understand tabular
    generally appropriate unbiased utilizing support classifier principle delayed sublinear
    designing construction area methodology confidence sub OpenAI returns maximizing
    counterfactual classes relevant correlated SOTA before collected Instead contrast
    foundation levels allow matches fewer Offline prevent posterior wise likelihood distinct
    pair views One speed applying tested reveal Advantage overcome shift informative largely
    GRPO generations DQN decreases leverages Feedback sufficient reduced equations actor
    conventional players POMDPs finite lambda RLVR unified magnitude layer notion predicted
    truth joint hallucinations produce forward unobserved welfare social transition able
    answer gains sampled define conservative overoptimization beyond numerical tuned among
    dependence Experiments include view introducing spaces ways pipeline controlled very Most
    vectors hard Under four demonstrated suitable transformer SFT changes respect base
    incorrect security increases pretraining continual tokens sparsity promising far final
    Experimental enhancing mirror variant presents correct evidence combining iterate Human
    enable nature hand Such properties shot needs Hessian driven Decision adapt outcome
    corresponding factor variety Risk batch learns component implications reveals help
    explicitly interaction generating hyperparameters reduction cross dual amount difference
    mechanism exhibit subsequent broad illustrate easy black ensemble implicit smaller
    variable difficult addressing pairwise maximum similarity descent prompts conditional role
    might deployment select past least tool successful fast defined direct give sequence
    offers detection instances purpose yields contribution player tau sharpness polynomial law
    practitioners cumulative learner commonly addition highly partial Notably sets observation
    smooth patterns fail Recently episodes provably itself extend Extensive decoding Further
    Here chosen Although modern performing systematically sources discrete matrix collapse
    classical alpha constant metric estimators preferred light argue users access With
    complete allowing scalability faster paradigm scalable constrained Multi enhances upon
    differentiable capacity maintaining suboptimal Using When mathematical primarily powerful
    divergence stable power critic field respectively characterize studied regularized
    mechanisms along ground multimodal pretrained items harmful explicit family what Based
    Value win lack would identifying tools relative shows fact was vision signals instructions
    assume change concerns weight imitation formulation larger despite allocation enabling
    after leveraging solve overall Direct considered suggest whose measures series presence
    stage suffer made computing utilities architectures instruction maximize explore increase
    preserving proxy essential contextual offs special manner biases questions should ensuring
    useful token representations variables sparse concept Code experimental simulation emerged
    baseline gradients sequential transfer because insight publicly humans layers energy
    procedure group previously consistently scales exponential dimension estimating Omega aim
    takes stationary mean First video right reliable nearly types demonstrating label type
    aligned instead conduct guide clinical accurately treatment public equilibria application
    efficacy states latent development associated observe stability works increasing turn
    monotone apply reflection tackle box principled obtain representation inherent developing
    varying balance few especially remain optimized overhead towards factors original full
    expensive goal distillation dynamic margin examples improvements either highlight since
    Through aligning shown decisions optimizing VLM thereby Despite noisy post makes
    consistent popular observations guarantee achieving comprehensive uses whether superior
    achieved VAE constraints accurate rather literature leverage queries establish certain
    minimax providing rely global behaviors fundamental noise statistical construct Recent
    output subset structure derived graph minimizing make train substantial optimize
    simultaneously resource studies individual Additionally Existing score search CFG failure
    those becomes observed reducing related competitive capture relies efficiently much
    minimization distributional recently aware update entropy interest crucial aims processes
    VLMs influence variants causal meta impact required consistency Policy particularly
    outcomes times second estimates estimate analyze alternative become zero enhance pass
    phenomenon iterative bandits errors tradeoff true trajectory issues dimensional budget
    predictions similar labels natural baselines points prompt improvement matching choice
    perspective varepsilon Bellman algorithmic privacy effects Carlo Monte variational
    traditional dependent average higher applied introduces weighted testing introduced
    increasingly could wide enables scheme cannot rates solving sensitive consider convex
    worst importance visual classification strong develop total reduce interactions Moreover
    positive evaluations steps additional question MLLMs widely fairness condition investigate
    validate end GPT mitigate constraint length future supervised weights out regression being
    showing planning trajectories possible input return metrics example modeling pre pairs
    images reduces range improved independent updates adaptive Nash computationally selection
    user lead expert success benefits feature focus Model limitations distributions form
    diffusion equilibrium mathcal retain surrogate local terms dynamics outputs estimator
    upper way measure negative directly advantage values thus MDPs leads ability will about
    attacks long environment per small yet game sum common conditions Bayesian self called
    technique effect context less instance solution requires require response generative
    continuous three limited leading unknown assumption assumptions Preference guidance random
    improving system fixed domains there bias research extensive attack fully does
    understanding designed horizon cases improves findings theoretically still exploration
    approximate Furthermore log provides expected costs empirically parameter generate
    reference Reinforcement computation current point term practice domain previous key
    probability theory prediction remains generated insights solutions several practical
    compute scaling derive allows challenging strategies like machine important challenges
    some diverse low typically PPO simple perform stochastic same bandit identify parameters
    Models most effectively potential environments Specifically losses Optimization text
    resulting particular within forget These open against Pareto memory generalization
    regularization prove capabilities recent forgetting scenarios features learn techniques
    evaluate Finally For scale result rewards objectives outperforms robustness medical error
    source known safety issue sampling learned Markov including behavior size deep best
    approximation Language Large critical challenge guarantees estimation networks via
    Learning lower then iteration them While convergence given network synthetic class agents
    gap effectiveness order games specific better during benchmark compared need strategy
    significant quality improve fine space trade empirical alignment due settings
    computational complex target applications uncertainty even actions making neural responses
    find systems inference many tuning rate step significantly code com effective bounds world
    accuracy RLHF achieves free case benchmarks image complexity standard policies efficiency
    been multiple prior non risk test any approaches other robust trained decision design
    control datasets samples present all github linear achieve various variance online may
    utility adversarial generation single well they set cost further general process available
    preferences task level through https how bound dataset offline different real problems
    efficient action use without knowledge into proposed reasoning setting theoretical
    evaluation agent DPO number art address distribution sample experiments analysis one
    across gradient than used each feedback over unlearning often provide multi off LLM high
    language under study functions introduce but only large information first LLMs
    reinforcement while existing objective also novel paper However results when optimal new
    preference using has their demonstrate human framework its both time state value two
    problem more have not between work where tasks function approach method optimization such
    regret these Our algorithms The show propose This reward loss algorithm based performance
    training methods policy our which can data models are from learning model this with for
    that and the
"""

FIELD_NAMES = (
    '{"abstract":"date":"year":"authors":["author_count":"urls":["https://arxiv.org/abs/'
    '"sources":["entry_type":"article","inproceedings","misc","venue":"doi":"10.'
    '"month":"fields":{"identifiers":{"arxiv":"doi":"tags":["cs.LG","cs.CL","cs.CV",'
    '"updated":"language":"en","editors":["organisation":"source_key":"retracted":true}'
)
